import { join } from 'node:path';
import { CONTAINER_IMAGES } from './container-images';
import { logToFile } from './container-logs';
import type { MailServerEndpoint, StartedComponent } from './infrastructure.types';
import { probeMailServer } from './mail-readiness';
import { waitUntil } from './wait-until';

const SMTP_PORT = 3025;
const IMAP_PORT = 3143;

/** GreenMail in a container, configured like the local one (SMTP + IMAP, any login accepted). */
export async function startGreenMailContainer(options: {
  dataDir: string;
  hostPorts: { smtp: number; imap: number } | undefined;
}): Promise<StartedComponent<MailServerEndpoint>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const published = options.hostPorts;
  const container = await new GenericContainer(CONTAINER_IMAGES.greenmail)
    .withEnvironment({
      // Inside the container it must bind all interfaces to be reachable through the published
      // port. Per-protocol settings, as for the local server, keep the REST API (8080) off.
      GREENMAIL_OPTS: [
        `-Dgreenmail.smtp.hostname=0.0.0.0`,
        `-Dgreenmail.smtp.port=${SMTP_PORT}`,
        `-Dgreenmail.imap.hostname=0.0.0.0`,
        `-Dgreenmail.imap.port=${IMAP_PORT}`,
        '-Dgreenmail.auth.disabled',
      ].join(' '),
    })
    .withExposedPorts(
      ...(published === undefined
        ? [SMTP_PORT, IMAP_PORT]
        : [
            { container: SMTP_PORT, host: published.smtp },
            { container: IMAP_PORT, host: published.imap },
          ]),
    )
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(120_000)
    .withLogConsumer(logToFile(join(options.dataDir, 'greenmail-container.log')))
    .start();

  const endpoint: MailServerEndpoint = {
    host: container.getHost(),
    smtpPort: container.getMappedPort(SMTP_PORT),
    imapPort: container.getMappedPort(IMAP_PORT),
  };
  try {
    await waitUntil(() => probeMailServer(endpoint.host, endpoint.smtpPort, endpoint.imapPort), {
      what: `GreenMail container on ${endpoint.host}`,
      timeoutMs: 30_000,
    });
  } catch (error) {
    await container.stop();
    throw error;
  }
  return {
    source: 'container',
    endpoint,
    stop: async () => {
      await container.stop();
    },
  };
}
