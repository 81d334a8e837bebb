import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MavenComponent {
  /** Component name, used in messages. */
  name: string;
  pom: string;
  /** Jars end up in <targetDir>/libs. */
  targetDir: string;
}

const MARKER_FILE = 'resolved.sha256';

function pomDigest(pom: string): string {
  return createHash('sha256').update(readFileSync(pom)).digest('hex');
}

/**
 * Complete means: the marker written after the last successful copy names the current POM's digest,
 * and the libs folder still holds jars. A changed POM (new version) or an interrupted copy re-resolves.
 */
export function isResolved(component: MavenComponent): boolean {
  const marker = join(component.targetDir, MARKER_FILE);
  const libs = join(component.targetDir, 'libs');
  if (!existsSync(marker) || !existsSync(libs)) return false;
  if (readFileSync(marker, 'utf8').trim() !== pomDigest(component.pom)) return false;
  return readdirSync(libs).some((file) => file.endsWith('.jar'));
}

function runMaven(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) =>
      reject(new Error(`could not run mvn (Maven is needed to fetch the local JVM components): ${error.message}`)),
    );
    child.once('close', (code) => resolve({ code, output }));
  });
}

// One Maven at a time: Kafka and GreenMail start in parallel, and two first runs would otherwise
// download the same plugins into ~/.m2 at once.
let mavenQueue: Promise<unknown> = Promise.resolve();

/** Resolves the POM's runtime class path into <targetDir>/libs unless it is already there. */
export function ensureMavenComponent(component: MavenComponent, log: (line: string) => void): Promise<string> {
  const result = mavenQueue.then(() => resolveComponent(component, log));
  mavenQueue = result.catch(() => undefined);
  return result;
}

async function resolveComponent(component: MavenComponent, log: (line: string) => void): Promise<string> {
  const libs = join(component.targetDir, 'libs');
  if (isResolved(component)) return libs;

  log(`${component.name}: resolving jars from Maven Central (first run only)`);
  mkdirSync(component.targetDir, { recursive: true });
  // Copy into a private folder and rename, so a concurrent run never sees half a class path.
  const staging = join(component.targetDir, `libs.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const { code, output } = await runMaven([
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    component.pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
  ]);
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const tail = output.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${component.name}: Maven could not resolve ${component.pom} (exit ${code}):\n${tail}`);
  }
  rmSync(libs, { recursive: true, force: true });
  renameSync(staging, libs);
  writeFileSync(join(component.targetDir, MARKER_FILE), `${pomDigest(component.pom)}\n`);
  return libs;
}
