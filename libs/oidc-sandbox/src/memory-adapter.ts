import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/** Expired entries are swept every this many writes, so a long `npm start` does not grow. */
const SWEEP_EVERY_WRITES = 500;

/**
 * Where one sandbox issuer keeps its sessions, interactions, codes, tokens and grants: in memory,
 * per issuer, gone on restart (a restart signs everyone out, which is what a sandbox should do).
 * oidc-provider's own in-memory adapter would do the same but is shared by every provider in the
 * process and announces itself as unfit for production on every start.
 */
export function createMemoryAdapterFactory(now: () => number = Date.now): (modelName: string) => Adapter {
  const entries = new Map<string, Entry>();
  const keysByGrant = new Map<string, Set<string>>();
  const keyByUid = new Map<string, string>();
  const keyByUserCode = new Map<string, string>();
  let writes = 0;

  const live = (key: string | undefined): Entry | undefined => {
    if (key === undefined) return undefined;
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    return entry;
  };

  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const { uid, userCode, grantId } = entry.payload;
    if (uid !== undefined && keyByUid.get(uid) === key) keyByUid.delete(uid);
    if (userCode !== undefined && keyByUserCode.get(userCode) === key) keyByUserCode.delete(userCode);
    if (grantId !== undefined) keysByGrant.get(grantId)?.delete(key);
  };

  const sweep = (): void => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) remove(key);
    for (const [grantId, keys] of keysByGrant) if (keys.size === 0) keysByGrant.delete(grantId);
  };

  return (modelName: string): Adapter => {
    const keyOf = (id: string): string => `${modelName}:${id}`;
    const copy = (entry: Entry | undefined): AdapterPayload | undefined =>
      entry ? structuredClone(entry.payload) : undefined;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        remove(key);
        entries.set(key, { payload: structuredClone(payload), expiresAt: now() + expiresIn * 1000 });
        if (payload.uid !== undefined) keyByUid.set(payload.uid, key);
        if (payload.userCode !== undefined) keyByUserCode.set(payload.userCode, key);
        if (payload.grantId !== undefined) {
          const keys = keysByGrant.get(payload.grantId) ?? new Set<string>();
          keys.add(key);
          keysByGrant.set(payload.grantId, keys);
        }
        if (++writes % SWEEP_EVERY_WRITES === 0) sweep();
      },
      async find(id) {
        return copy(live(keyOf(id)));
      },
      async findByUid(uid) {
        return copy(live(keyByUid.get(uid)));
      },
      async findByUserCode(userCode) {
        return copy(live(keyByUserCode.get(userCode)));
      },
      async consume(id) {
        const entry = live(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of [...(keysByGrant.get(grantId) ?? [])]) remove(key);
        keysByGrant.delete(grantId);
      },
    };
  };
}
