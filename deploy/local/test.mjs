// `npm test`: starts PostgreSQL, Kafka and GreenMail in a throwaway folder on free ports, runs every
// compiled test file against them with node's test runner, then stops everything. The runner's
// summary stays the last output, and the exit code is the runner's.
import { spawn } from 'node:child_process';
import { globSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import testing from '@telltale/testing';
import { describeInfrastructure, infrastructureEnv } from './endpoints-display.mjs';
import { onShutdownRequest } from './shutdown-request.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_PATTERNS = ['libs/*/dist/test/**/*.test.js', 'services/*/dist/test/**/*.test.js'];

function fail(message) {
  process.stderr.write(`test.mjs: error: ${message}\n`);
  process.exit(1);
}

// Arguments starting with "-" go to the test runner (written as --flag=value, e.g.
// --test-name-pattern=kafka); the rest are file patterns relative to the repository root and
// replace the default ones.
const args = process.argv.slice(2);
const runnerFlags = args.filter((arg) => arg.startsWith('-'));
const requested = args.filter((arg) => !arg.startsWith('-'));
const patterns = requested.length > 0 ? requested : DEFAULT_PATTERNS;
const files = [...new Set(patterns.flatMap((pattern) => globSync(pattern, { cwd: repoRoot })))].sort();
if (files.length === 0) fail(`no test files match ${patterns.join(' ')} (did the build run?)`);

const dataDir = mkdtempSync(join(tmpdir(), 'telltale-test-'));
const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
const infraLog = (line) => process.stderr.write(`[infra] ${line}\n`);

let infra;
try {
  infra = await testing.startInfrastructure({ dataDir, ports: 'ephemeral', log: infraLog });
} catch (error) {
  removeDataDir();
  fail(`infrastructure did not start:\n${error instanceof Error ? error.message : String(error)}`);
}
// Dovecot beside GreenMail: the IMAP suites also run against a real production server (run.sh
// installed Debian's dovecot-imapd when it was missing).
let dovecot;
try {
  dovecot = await testing.startLocalDovecot({ dataDir, log: infraLog });
} catch (error) {
  await infra.stop().catch(() => undefined);
  removeDataDir();
  fail(`Dovecot did not start:\n${error instanceof Error ? error.message : String(error)}`);
}
const dovecotEnv = { DOVECOT_HOST: dovecot.endpoint.host, DOVECOT_IMAP_PORT: String(dovecot.endpoint.imapPort), DOVECOT_PASSWORD: dovecot.endpoint.password };
for (const line of describeInfrastructure(infra)) infraLog(line);
infraLog(`running ${files.length} test file(s)`);

// TAP when the output goes to a log (CI reads its closing "# pass N" / "# fail N" lines), the
// friendlier spec reporter on a terminal; an explicit --test-reporter wins.
const reporter = runnerFlags.some((flag) => flag.startsWith('--test-reporter'))
  ? []
  : [`--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`];
// No --test-force-exit: under process isolation it drops already-passed results of a file's tail
// before the runner reads them (nodejs/node#64833), so the reported count was only a lower bound
// (1 202-1 268 for one tree). A test file that leaks a handle (a pool, a timer) would instead keep
// the run alive, so a watchdog ends a run that outlives RUN_LIMIT_MINUTES, loudly.
const RUN_LIMIT_MINUTES = Number(process.env.TELLTALE_TEST_RUN_LIMIT_MINUTES ?? 45);
const runner = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-timeout=300000', ...reporter, ...runnerFlags, ...files],
  { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...infrastructureEnv(infra), ...dovecotEnv } },
);
const watchdog = setTimeout(() => {
  process.stderr.write(`test.mjs: error: the test run exceeded ${RUN_LIMIT_MINUTES} minutes (a test file left a handle open?); stopping it\n`);
  runner.kill('SIGTERM');
}, RUN_LIMIT_MINUTES * 60_000);
watchdog.unref();

// Ctrl-C reaches the runner through the terminal already; a signal aimed at us alone (CI
// cancelling the job, npm passing on a kill) is passed on, and so is SIGTERM when whoever started
// us went away. Either way we wait for the runner, then clean up.
onShutdownRequest((reason) => {
  if (runner.exitCode === null && runner.signalCode === null) runner.kill(reason === 'parent-exit' ? 'SIGTERM' : reason);
});

const { code, signal } = await new Promise((resolveExit) => {
  runner.once('exit', (exitCode, exitSignal) => resolveExit({ code: exitCode, signal: exitSignal }));
  runner.once('error', (error) => fail(`could not start the test runner: ${error.message}`));
});

// Stopping prints nothing unless it fails, so the runner's summary stays the last output.
try {
  await dovecot.stop();
  await infra.stop();
} catch (error) {
  process.stderr.write(`[infra] stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
}
removeDataDir();

const signalNumbers = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 };
process.exit(code ?? (signal !== null ? 128 + (signalNumbers[signal] ?? 0) : 1));
