import { Client } from 'pg';
import { ActivityStore } from './activities/activity-store';

/**
 * `npm run crm:replay -- [--org <orgId>] [--key <activityKey> …]`: puts dead-lettered activities
 * back in crm-writer's queue (after the cause was fixed: a field's security, a picklist value, a
 * missing custom field). With no option, every dead-lettered activity. Reads DATABASE_URL; the
 * running crm-writer writes them on its next pass. Prints the keys replayed, one per line.
 * Admins can do the same for their organisation over the API: POST /v1/salesforce/activities/replay.
 */

const USAGE = 'usage: npm run crm:replay -- [--org <orgId>] [--key <activityKey> …]   (DATABASE_URL must be set)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^[A-Za-z0-9_:-]{1,255}$/;

export function parseReplayArgs(argv: readonly string[]): { orgId?: string; keys?: string[] } {
  const out: { orgId?: string; keys?: string[] } = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--org' && value && UUID.test(value)) out.orgId = value;
    else if (flag === '--key' && value && KEY.test(value)) out.keys = [...(out.keys ?? []), value];
    else throw new Error(`bad argument ${flag ?? ''} ${value ?? ''}`.trim());
  }
  return out;
}

export async function replayDeadLetters(databaseUrl: string, filter: { orgId?: string; keys?: string[] }, now = new Date()): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'crm-writer-replay' });
  await client.connect();
  try {
    return await new ActivityStore().replayDead({ query: async (text, values) => (await client.query(text, values)).rows }, filter, now);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL;
  let filter: { orgId?: string; keys?: string[] };
  try {
    filter = parseReplayArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`crm:replay: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!databaseUrl) {
    process.stderr.write(`crm:replay: DATABASE_URL is not set\n${USAGE}\n`);
    return 2;
  }
  const replayed = await replayDeadLetters(databaseUrl, filter);
  for (const key of replayed) process.stdout.write(`${key}\n`);
  process.stderr.write(`crm:replay: ${replayed.length} activit${replayed.length === 1 ? 'y' : 'ies'} back in the queue\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`crm:replay: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
