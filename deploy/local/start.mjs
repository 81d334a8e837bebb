// `npm start`: PostgreSQL, Kafka and GreenMail on fixed ports with data in <repo>/.data (kept
// between runs), then the services from services.mjs when present. Ctrl-C, SIGINT or SIGTERM to
// npm's pid, or npm going away, stops the services first, then the infrastructure they use.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import testing from '@telltale/testing';
import { describeInfrastructure } from './endpoints-display.mjs';
import { onShutdownRequest } from './shutdown-request.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const log = (line) => process.stdout.write(`[start] ${line}\n`);
const describeError = (error) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

// npm forwards the terminal's Ctrl-C to us as well, so one keypress can arrive as two signals.
// Only a signal well after the first one means "stop waiting and kill everything".
const FORCE_AFTER_MS = 2_000;
let firstSignalAt;
let servicesReady;
const keepAlive = setInterval(() => undefined, 1 << 30);

const infraReady = testing.startInfrastructure({ dataDir: join(repoRoot, '.data'), ports: 'fixed', log });

/** Waits for whatever is still starting, then stops services before the infrastructure they use. */
async function stopEverything() {
  const services = await servicesReady?.catch(() => undefined);
  if (services !== undefined) {
    log('stopping services');
    await services.stop();
  }
  const infra = await infraReady.catch(() => undefined);
  if (infra !== undefined) {
    log('stopping infrastructure');
    await infra.stop();
  }
}

function onShutdown(reason) {
  const now = Date.now();
  if (firstSignalAt === undefined) {
    firstSignalAt = now;
    log(`${reason === 'parent-exit' ? 'the process that started us exited' : `${reason} received`}, shutting down`);
    stopEverything().then(
      () => {
        log('stopped');
        clearInterval(keepAlive);
        process.exit(0);
      },
      (error) => {
        process.stderr.write(`[start] shutdown failed: ${describeError(error)}\n`);
        process.exit(1);
      },
    );
  } else if (now - firstSignalAt > FORCE_AFTER_MS) {
    // The infrastructure's exit hook SIGKILLs whatever is still running.
    log(`${reason} again, killing everything`);
    process.exit(1);
  }
}
onShutdownRequest(onShutdown);

let infra;
try {
  infra = await infraReady;
} catch (error) {
  process.stderr.write(`[start] infrastructure did not start:\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
for (const line of describeInfrastructure(infra)) log(line);

if (firstSignalAt === undefined) {
  if (existsSync(join(here, 'services.mjs'))) {
    servicesReady = import('./services.mjs').then(({ startServices }) => startServices(infra));
    try {
      await servicesReady;
    } catch (error) {
      process.stderr.write(`[start] services did not start: ${describeError(error)}\n`);
      await infra.stop().catch(() => undefined);
      process.exit(1);
    }
  } else {
    log('no deploy/local/services.mjs yet: infrastructure only');
  }
  if (firstSignalAt === undefined) log('up; press Ctrl-C to stop');
}
