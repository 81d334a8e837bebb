import { entityIsDeleted, notFound, SalesforceApiError } from './salesforce-api-error';
import { buildRecordId, toCanonicalId } from './salesforce-id';
import {
  formatDateTime,
  missingRequiredFields,
  normalizeWrite,
  requiredFieldsMissingError,
  type WriteMode,
} from './record-write-validator';
import type { FieldDefinition, SalesforceSchema, SObjectDefinition, StoredRecord, StoredValue } from './salesforce-schema';
import type { SandboxSnapshot } from './sandbox-data-file';
import { FieldSecurity } from './field-security';
import { RowLocks } from './row-locks';

export interface SandboxClock {
  now(): Date;
}

export interface UpsertOutcome {
  id: string;
  created: boolean;
}

/**
 * The org's records in memory. Every write goes through the same validation the
 * REST API applies; deletes keep the row with IsDeleted = true (the Recycle Bin),
 * which `queryAll` still sees.
 */
export class SalesforceRecordStore {
  private tables = new Map<string, Map<string, StoredRecord>>();
  private sequence = 0;
  private transactionDepth = 0;
  /** Field-level security applied to every API write (not to seeding). */
  readonly fieldSecurity = new FieldSecurity();
  /** UNABLE_TO_LOCK_ROW on demand, for API writes. */
  readonly rowLocks = new RowLocks();

  constructor(
    private readonly schema: SalesforceSchema,
    private readonly clock: SandboxClock,
    private readonly onCommit: (snapshot: SandboxSnapshot) => void = () => undefined,
  ) {
    for (const object of schema.objects()) this.tables.set(object.name, new Map());
  }

  restore(snapshot: SandboxSnapshot): void {
    this.sequence = snapshot.sequence;
    for (const [name, rows] of Object.entries(snapshot.records)) {
      const object = this.schema.object(name);
      if (!object) throw new Error(`Salesforce sandbox data file names an unknown object ${name}`);
      this.tables.set(object.name, new Map(rows.map((row) => [String(row.Id), { ...row }] as const)));
    }
  }

  snapshot(): SandboxSnapshot {
    const records: Record<string, StoredRecord[]> = {};
    for (const [name, table] of this.tables) records[name] = [...table.values()].map((r) => ({ ...r }));
    return { sequence: this.sequence, records };
  }

  /**
   * Runs `work` as one transaction: if it throws, every change it made is undone
   * (the `allOrNone` semantics of sObject Collections); otherwise the result is saved once.
   */
  atomically<T>(work: () => T): T {
    const before = this.transactionDepth === 0 ? this.copyTables() : undefined;
    const sequenceBefore = this.sequence;
    this.transactionDepth += 1;
    try {
      const result = work();
      this.transactionDepth -= 1;
      if (this.transactionDepth === 0) this.onCommit(this.snapshot());
      return result;
    } catch (err) {
      this.transactionDepth -= 1;
      if (before) {
        this.tables = before;
        this.sequence = sequenceBefore;
      }
      throw err;
    }
  }

  records(object: SObjectDefinition, options: { includeDeleted?: boolean } = {}): StoredRecord[] {
    const rows = [...this.table(object).values()];
    return rows.filter((r) => options.includeDeleted === true || r.IsDeleted !== true).map((r) => ({ ...r }));
  }

  retrieve(object: SObjectDefinition, rawId: string): StoredRecord {
    return { ...this.liveRecord(object, rawId) };
  }

  /** `actorId` null: the record creates itself (how the sandbox's own users come to exist). */
  create(
    object: SObjectDefinition,
    input: Record<string, unknown>,
    actorId: string | null,
    mode: WriteMode = 'create',
  ): string {
    return this.atomically(() => {
      if (mode !== 'seed' && Object.keys(input).some((k) => k.toLowerCase() === 'id')) {
        throw new SalesforceApiError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
      }
      const values = normalizeWrite(this.schema, object, input, mode, (id) => this.resolve(id), (f) =>
        this.fieldSecurity.access(actorId, object, f),
      );
      if (mode !== 'seed') this.rowLocks.check(object, null);
      const now = formatDateTime(this.clock.now());
      this.sequence += 1;
      const id = buildRecordId(object.keyPrefix, this.sequence);
      const actor = actorId ?? id;
      const record: StoredRecord = {};
      for (const field of object.fields) record[field.name] = this.initialValue(field, actor);
      Object.assign(record, { Id: id, CreatedDate: now, CreatedById: actor }, values);
      Object.assign(record, { LastModifiedDate: now, LastModifiedById: actor, SystemModstamp: now });
      this.finishWrite(object, record);
      this.table(object).set(id, record);
      return id;
    });
  }

  update(object: SObjectDefinition, rawId: string, input: Record<string, unknown>, actorId: string): string {
    return this.atomically(() => {
      const existing = this.liveRecord(object, rawId);
      const values = normalizeWrite(this.schema, object, input, 'update', (id) => this.resolve(id), (f) =>
        this.fieldSecurity.access(actorId, object, f),
      );
      this.rowLocks.check(object, String(existing.Id));
      const now = formatDateTime(this.clock.now());
      const record: StoredRecord = { ...existing, ...values, LastModifiedDate: now, LastModifiedById: actorId, SystemModstamp: now };
      this.finishWrite(object, record);
      this.table(object).set(String(existing.Id), record);
      return String(existing.Id);
    });
  }

  /**
   * sObject Rows by External ID, PATCH: no match creates, one match updates,
   * several matches are a 300 listing them ("Upsert Records Using sObject Rows by External ID").
   */
  upsert(
    object: SObjectDefinition,
    fieldName: string,
    value: string,
    input: Record<string, unknown>,
    actorId: string,
    options: { updateOnly?: boolean; apiVersion: string },
  ): UpsertOutcome {
    const field = this.schema.field(object, fieldName);
    if (!field || !(field.externalId || field.idLookup)) {
      throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
    }
    for (const [key, bodyValue] of Object.entries(input)) {
      if (key.toLowerCase() === 'id') {
        throw new SalesforceApiError(400, 'INVALID_FIELD', 'Id is not allowed in the body of an upsert by external ID', ['Id']);
      }
      if (key.toLowerCase() === field.name.toLowerCase() && !sameText(bodyValue, value)) {
        throw new SalesforceApiError(
          400,
          'INVALID_FIELD',
          `The value of ${field.name} in the request body does not match the value in the URL`,
          [field.name],
        );
      }
    }
    return this.atomically(() => {
      const matches = this.matchExternalId(object, field, value);
      if (matches.length > 1) {
        const urls = matches.map((r) => `/services/data/v${options.apiVersion}/sobjects/${object.name}/${String(r.Id)}`);
        throw new SalesforceApiError(300, 'MULTIPLE_CHOICES', 'Multiple records found', [], urls);
      }
      const [match] = matches;
      if (match) {
        return { id: this.update(object, String(match.Id), input, actorId), created: false };
      }
      if (options.updateOnly === true || field.name === 'Id') throw notFound();
      return { id: this.create(object, { ...input, [field.name]: value }, actorId), created: true };
    });
  }

  remove(object: SObjectDefinition, rawId: string): string {
    return this.atomically(() => {
      if (!object.deletable) {
        throw new SalesforceApiError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type ${object.name} does not support delete`);
      }
      const existing = this.liveRecord(object, rawId);
      this.table(object).set(String(existing.Id), { ...existing, IsDeleted: true });
      return String(existing.Id);
    });
  }

  /** The object name a live record id belongs to, 'deleted', or undefined. */
  resolve(canonicalId: string): string | 'deleted' | undefined {
    const object = this.schema.objectForId(canonicalId);
    const record = object ? this.table(object).get(canonicalId) : undefined;
    if (!object || !record) return undefined;
    return record.IsDeleted === true ? 'deleted' : object.name;
  }

  private liveRecord(object: SObjectDefinition, rawId: string): StoredRecord {
    const id = toCanonicalId(rawId);
    const record = id ? this.table(object).get(id) : undefined;
    if (!record) throw notFound();
    if (record.IsDeleted === true) throw entityIsDeleted();
    return record;
  }

  private matchExternalId(object: SObjectDefinition, field: FieldDefinition, value: string): StoredRecord[] {
    if (field.name === 'Id') {
      const id = toCanonicalId(value);
      const record = id ? this.table(object).get(id) : undefined;
      return record && record.IsDeleted !== true ? [record] : [];
    }
    return [...this.table(object).values()].filter((r) => r.IsDeleted !== true && sameText(r[field.name], value));
  }

  private initialValue(field: FieldDefinition, actorId: string): StoredValue {
    const fallback = field.type === 'boolean' ? false : null;
    if (field.defaultValue === undefined) return fallback;
    if (typeof field.defaultValue === 'object') return actorId;
    return field.defaultValue;
  }

  private finishWrite(object: SObjectDefinition, record: StoredRecord): void {
    const missing = missingRequiredFields(object, record);
    if (missing.length > 0) throw requiredFieldsMissingError(missing);
    if (object.derive) Object.assign(record, object.derive(record));
    for (const field of object.fields.filter((f) => f.unique)) {
      const value = record[field.name];
      if (value === null || value === undefined) continue;
      const clash = [...this.table(object).values()].find(
        (r) => r.Id !== record.Id && r.IsDeleted !== true && sameText(r[field.name], value),
      );
      if (clash) {
        throw new SalesforceApiError(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${String(clash.Id)}`,
          [field.name],
        );
      }
    }
  }

  private table(object: SObjectDefinition): Map<string, StoredRecord> {
    let table = this.tables.get(object.name);
    if (!table) {
      table = new Map();
      this.tables.set(object.name, table);
    }
    return table;
  }

  private copyTables(): Map<string, Map<string, StoredRecord>> {
    const copy = new Map<string, Map<string, StoredRecord>>();
    for (const [name, table] of this.tables) copy.set(name, new Map(table));
    return copy;
  }
}

/** External IDs and text values match case-insensitively unless declared case-sensitive. */
function sameText(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  return a.toLowerCase() === b.toLowerCase();
}
