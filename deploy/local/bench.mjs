// `npm run bench:*`: starts PostgreSQL, Kafka and GreenMail in a throwaway folder on free ports (as
// test.mjs does), runs one benchmark script with their endpoints in the environment, stops everything.
// The script prints its figures (JSON) on stdout; its exit code is ours.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import testing from '@telltale/testing';
import { describeInfrastructure, infrastructureEnv } from './endpoints-display.mjs';
import { onShutdownRequest } from './shutdown-request.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [script, ...args] = process.argv.slice(2);
if (!script || !existsSync(resolve(repoRoot, script))) {
  process.stderr.write(`bench.mjs: error: no benchmark script ${script ?? '(none given)'} (did the build run?)\n`);
  process.exit(1);
}
const dataDir = mkdtempSync(join(tmpdir(), 'telltale-bench-'));
const infraLog = (line) => process.stderr.write(`[infra] ${line}\n`);
let infra;
try {
  infra = await testing.startInfrastructure({ dataDir, ports: 'ephemeral', log: infraLog });
} catch (error) {
  rmSync(dataDir, { recursive: true, force: true });
  process.stderr.write(`bench.mjs: error: infrastructure did not start:\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
for (const line of describeInfrastructure(infra)) infraLog(line);
const child = spawn(process.execPath, [resolve(repoRoot, script), ...args], { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...infrastructureEnv(infra) } });
onShutdownRequest((reason) => child.kill(reason === 'parent-exit' ? 'SIGTERM' : reason));
const code = await new Promise((done) => child.once('exit', (c) => done(c ?? 1)));
await infra.stop().catch((error) => process.stderr.write(`[infra] stopping failed: ${error.message}\n`));
rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
