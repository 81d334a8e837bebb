import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildCloudRangesFile, CloudRangesFile, parseCloudList, type ParsedCloudList } from './cloud-ranges';
import { DEFAULT_CLOUD_RANGES_PATH } from './hit-signatures';

/** The largest list read (Azure's full ServiceTags file is a few MB). */
const MAX_LIST_BYTES = 64 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 60_000;
/** The names the providers publish their lists under, as saved in a folder. */
const LIST_FILE = /^(ip-ranges\.json|cloud\.json|ServiceTags_Public.*\.json|public_ip_ranges\.json)$/;

const USAGE = `usage: npm run signatures:refresh -- --from <folder|file|https URL> [--from …] [--out <cloud-ranges.json>]

Rebuilds the tracker's public cloud ranges (services/tracker/data/cloud-ranges.json by default)
from the providers' lists: AWS ip-ranges.json, Google Cloud cloud.json, Azure
ServiceTags_Public_<date>.json, Oracle Cloud public_ip_ranges.json (a folder holding them, the
files, or their URLs). Providers not given keep what the current file has for them.`;

async function readList(from: string): Promise<{ json: unknown; source: string }[]> {
  if (/^https?:\/\//.test(from)) {
    if (!from.startsWith('https://')) throw new Error(`${from}: only https URLs`);
    const res = await fetch(from, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${from}: HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_LIST_BYTES) throw new Error(`${from}: larger than ${MAX_LIST_BYTES} bytes`);
    return [{ json: JSON.parse(text) as unknown, source: from }];
  }
  if (!existsSync(from)) throw new Error(`${from}: no such file or folder`);
  const files = statSync(from).isDirectory()
    ? readdirSync(from)
        .filter((name) => LIST_FILE.test(name))
        .sort()
        .map((name) => join(from, name))
    : [from];
  if (files.length === 0) throw new Error(`${from}: no provider list in it (ip-ranges.json, cloud.json, ServiceTags_Public*.json, public_ip_ranges.json)`);
  return files.map((file) => {
    if (statSync(file).size > MAX_LIST_BYTES) throw new Error(`${file}: larger than ${MAX_LIST_BYTES} bytes`);
    try {
      return { json: JSON.parse(readFileSync(file, 'utf8')) as unknown, source: basename(file) };
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
  });
}

/** The data file from the lists at `from`, keeping the providers they do not cover from `current`. */
export async function refreshCloudRanges(from: readonly string[], current: CloudRangesFile | null, now: Date): Promise<CloudRangesFile> {
  const lists: { list: ParsedCloudList; source: string }[] = [];
  for (const f of from) {
    for (const { json, source } of await readList(f)) lists.push({ list: parseCloudList(json, source), source });
  }
  const fresh = buildCloudRangesFile(lists, now);
  if (!current) return fresh;
  const renewed = new Set(fresh.sources.map((s) => s.provider));
  return CloudRangesFile.parse({
    ...fresh,
    sources: [...current.sources.filter((s) => !renewed.has(s.provider)), ...fresh.sources],
    ranges: [...current.ranges.filter((r) => !renewed.has(r.provider)), ...fresh.ranges],
  });
}

function parseArgs(argv: string[]): { from: string[]; out: string } {
  const from: string[] = [];
  let out = DEFAULT_CLOUD_RANGES_PATH;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if ((arg === '--from' || arg === '--out') && value) {
      if (arg === '--from') from.push(value);
      else out = value;
      i += 1;
    } else {
      throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (from.length === 0) throw new Error(USAGE);
  return { from, out };
}

async function main(): Promise<void> {
  const { from, out } = parseArgs(process.argv.slice(2));
  const current = existsSync(out) ? CloudRangesFile.parse(JSON.parse(readFileSync(out, 'utf8'))) : null;
  const file = await refreshCloudRanges(from, current, new Date());
  // One provider range per line: reviewable in a diff, and still compact.
  const body = `{\n  "format": 1,\n  "generatedAt": ${JSON.stringify(file.generatedAt)},\n  "sources": [\n${file.sources.map((s) => `    ${JSON.stringify(s)}`).join(',\n')}\n  ],\n  "ranges": [\n${file.ranges.map((r) => `    ${JSON.stringify(r)}`).join(',\n')}\n  ]\n}\n`;
  writeFileSync(`${out}.tmp`, body);
  renameSync(`${out}.tmp`, out);
  for (const s of file.sources) process.stdout.write(`${s.provider}: ${s.prefixes} prefixes, published ${s.publishedAt ?? 'unknown'} (${s.source})\n`);
  process.stdout.write(`wrote ${out}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`signatures:refresh: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
