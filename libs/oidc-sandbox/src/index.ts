export { startSandboxIssuer, SANDBOX_TTL } from './sandbox-issuer';
export type { SandboxClient, SandboxIssuer, SandboxIssuerOptions } from './sandbox-issuer';
export { SANDBOX_PASSWORD, SANDBOX_USERS, sandboxSubject } from './sandbox-users';
export type { SandboxUser } from './sandbox-users';
export { CookieJar, SandboxHttpError, SignInRefusedError, signInOverHttp, signOutOverHttp } from './http-sign-in';
export type { SignInOverHttp, SignedInOverHttp, SignOutOverHttp } from './http-sign-in';
export { sandboxOptionsFromEnv } from './sandbox-env';
