#!/usr/bin/env node
/**
 * Runs the sandbox OpenID provider on its own: OIDC_SANDBOX_PORT, OIDC_SANDBOX_HOST and
 * OIDC_SANDBOX_CLIENTS as read by sandboxOptionsFromEnv; the users are SANDBOX_USERS.
 * Stops on SIGINT or SIGTERM.
 */
import { startSandboxIssuer } from './sandbox-issuer';
import { sandboxOptionsFromEnv } from './sandbox-env';

async function main(): Promise<void> {
  const options = sandboxOptionsFromEnv(process.env);
  const sandbox = await startSandboxIssuer(options);
  const emails = options.users.map((user) => user.email).join(', ');
  console.log(`oidc-sandbox: issuer ${sandbox.issuer} (sandbox users: ${emails}; clients: ${options.clients.map((c) => c.clientId).join(', ')})`);
  const stop = (): void => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`oidc-sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
