import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Schemathesis from PyPI, pinned: the OpenAPI fuzzer of the CI run (openapi-fuzz.e2e.test). */
export const SCHEMATHESIS_VERSION = '4.32.5';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');
/** Git-ignored, like the Node and Helm tools deploy/ installs. */
export const SCHEMATHESIS_VENV = join(REPO_ROOT, '.tools', 'python', `schemathesis-${SCHEMATHESIS_VERSION}`);
const STAMP = '.installed';

function run(command: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 600_000, env: options.env ?? process.env });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

const tail = (text: string, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');

/**
 * Debian's python3 has no venv/ensurepip without python3-venv; as root (CI) it is installed with
 * apt-get, otherwise the error says what to install.
 */
function installPythonVenvPackage(why: string): void {
  const root = process.getuid?.() === 0;
  const apt = run('sh', ['-c', 'command -v apt-get']).ok;
  if (!root || !apt) {
    throw new Error(`schemathesis needs Python 3 with venv and pip (${why}). Install them, e.g. \`apt-get install python3 python3-venv\`, then run the test again.`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = run('apt-get', ['update'], { env });
  const install = update.ok ? run('apt-get', ['install', '-y', '--no-install-recommends', 'python3', 'python3-venv'], { env }) : update;
  if (!install.ok) throw new Error(`apt-get install python3 python3-venv failed (needed for schemathesis: ${why}):\n${tail(install.output)}`);
}

/**
 * Makes sure schemathesis is installed in .tools/python/schemathesis-<version> (a virtualenv made
 * with `python3 -m venv`, filled by pip from PyPI) and returns the Python to run it with. Built
 * beside its final place and renamed into it, so two test runs never see a half-made one.
 */
export function ensureSchemathesis(): string {
  const python = join(SCHEMATHESIS_VENV, 'bin', 'python');
  if (existsSync(join(SCHEMATHESIS_VENV, STAMP))) return python;
  if (!run('python3', ['--version']).ok) installPythonVenvPackage('python3 is not installed');
  const partial = `${SCHEMATHESIS_VENV}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(join(REPO_ROOT, '.tools', 'python'), { recursive: true });
  let venv = run('python3', ['-m', 'venv', partial]);
  if (!venv.ok) {
    rmSync(partial, { recursive: true, force: true });
    installPythonVenvPackage(`python3 -m venv failed: ${tail(venv.output, 3)}`);
    venv = run('python3', ['-m', 'venv', partial]);
    if (!venv.ok) throw new Error(`python3 -m venv failed even with python3-venv installed:\n${tail(venv.output)}`);
  }
  try {
    const pip = run(join(partial, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`]);
    if (!pip.ok) throw new Error(`pip install schemathesis==${SCHEMATHESIS_VERSION} failed (PyPI reachable?):\n${tail(pip.output)}`);
    writeFileSync(join(partial, STAMP), `${SCHEMATHESIS_VERSION}\n`);
    try {
      renameSync(partial, SCHEMATHESIS_VENV);
    } catch (err) {
      // Another run finished first: use its copy.
      if (!existsSync(join(SCHEMATHESIS_VENV, STAMP))) throw err;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return python;
}

/**
 * Runs `schemathesis <args>` with the Python of ensureSchemathesis() (through its module, so the
 * virtualenv works wherever it was built), in `cwd`; resolves with the exit code and the output.
 */
export function runSchemathesis(python: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const launcher = 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; sys.exit(schemathesis())';
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', launcher, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
