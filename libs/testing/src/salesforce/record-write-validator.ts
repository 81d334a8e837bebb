import type { FieldAccess } from './field-security';
import { SalesforceApiError } from './salesforce-api-error';
import { toCanonicalId } from './salesforce-id';
import type { FieldDefinition, SalesforceSchema, SObjectDefinition, StoredRecord, StoredValue } from './salesforce-schema';

/**
 * Turns a request body into field values the way the REST API does: field names
 * match case-insensitively, unknown fields are INVALID_FIELD, fields the caller
 * may not set are INVALID_FIELD_FOR_INSERT_UPDATE, and each value is checked
 * against its field type (SOAP API "Field Types"; REST "Status Codes and Error Responses").
 */

/** `seed` is the test harness writing directly, allowed to set system-controlled fields. */
export type WriteMode = 'create' | 'update' | 'seed';

/** Where a reference points: the object name of a live record, 'deleted', or undefined when unknown. */
export type ReferenceResolver = (canonicalId: string) => string | 'deleted' | undefined;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function normalizeWrite(
  schema: SalesforceSchema,
  object: SObjectDefinition,
  input: Record<string, unknown>,
  mode: WriteMode,
  resolveReference: ReferenceResolver,
  access: (field: FieldDefinition) => FieldAccess = () => 'edit',
): StoredRecord {
  const out: StoredRecord = {};
  const notWritable: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes') continue;
    const field = schema.field(object, key);
    // A field hidden by field-level security does not exist for the caller.
    if (!field || (mode !== 'seed' && access(field) === 'hidden')) {
      throw new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`);
    }
    if (!isWritable(field, mode) || (mode !== 'seed' && access(field) === 'read')) {
      notWritable.push(field.name);
      continue;
    }
    out[field.name] = coerceValue(field, raw, resolveReference);
  }
  if (notWritable.length > 0) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      notWritable,
    );
  }
  return out;
}

function isWritable(field: FieldDefinition, mode: WriteMode): boolean {
  switch (mode) {
    case 'create':
      return field.createable;
    case 'update':
      return field.updateable;
    case 'seed':
      return field.name !== 'Id' && !field.calculated;
  }
}

/** Names of required fields (not nillable, not defaulted) left empty. */
export function missingRequiredFields(object: SObjectDefinition, record: StoredRecord): string[] {
  return object.fields
    .filter((f) => !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean')
    .filter((f) => record[f.name] === null || record[f.name] === undefined)
    .map((f) => f.name);
}

export function requiredFieldsMissingError(fields: string[]): SalesforceApiError {
  return new SalesforceApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, fields);
}

function coerceValue(field: FieldDefinition, raw: unknown, resolveReference: ReferenceResolver): StoredValue {
  if (raw === null || raw === undefined) {
    // A boolean is never null in Salesforce: clearing it stores false.
    return field.type === 'boolean' ? false : null;
  }
  switch (field.type) {
    case 'boolean':
      if (typeof raw !== 'boolean') throw deserializeError('boolean', raw);
      return raw;
    case 'int':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) throw deserializeError('int', raw);
      return raw;
    case 'double':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw deserializeError('double', raw);
      return raw;
    case 'date':
      return coerceDate(raw);
    case 'datetime':
      return coerceDateTime(raw);
    case 'id':
    case 'reference':
      return coerceReference(field, raw, resolveReference);
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'combobox':
      return coerceText(field, raw);
  }
}

function coerceText(field: FieldDefinition, raw: unknown): StoredValue {
  if (typeof raw !== 'string' && typeof raw !== 'number') throw deserializeError('String', raw);
  const text = String(raw);
  // The API stores an empty string as null.
  if (text === '') return null;
  if (field.length > 0 && text.length > field.length) {
    throw new SalesforceApiError(
      400,
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${text.slice(0, 40)} (max length=${field.length})`,
      [field.name],
    );
  }
  if (field.type === 'email' && !EMAIL.test(text)) {
    throw new SalesforceApiError(400, 'INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, [field.name]);
  }
  if (field.type === 'picklist' && field.restrictedPicklist && !field.picklistValues.includes(text)) {
    throw new SalesforceApiError(
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${text}`,
      [field.name],
    );
  }
  return text;
}

export function isValidDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

function coerceDate(raw: unknown): StoredValue {
  if (typeof raw !== 'string' || !isValidDate(raw)) throw deserializeError('date', raw);
  return raw;
}

function coerceDateTime(raw: unknown): StoredValue {
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(raw)) throw deserializeError('datetime', raw);
  const ms = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw deserializeError('datetime', raw);
  return formatDateTime(new Date(ms));
}

function coerceReference(field: FieldDefinition, raw: unknown, resolveReference: ReferenceResolver): StoredValue {
  if (typeof raw !== 'string') throw deserializeError('id', raw);
  if (raw === '') return null;
  const id = toCanonicalId(raw);
  if (!id) {
    throw new SalesforceApiError(400, 'MALFORMED_ID', `${field.label}: id value of incorrect type: ${raw}`, [field.name]);
  }
  const target = resolveReference(id);
  if (target === 'deleted') {
    throw new SalesforceApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', [field.name]);
  }
  if (target === undefined) {
    throw new SalesforceApiError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
  }
  if (!field.referenceTo.includes(target)) {
    throw new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${raw}`, [
      field.name,
    ]);
  }
  return id;
}

function deserializeError(type: string, raw: unknown): SalesforceApiError {
  const token = typeof raw === 'string' ? 'VALUE_STRING' : typeof raw === 'number' ? 'VALUE_NUMBER' : 'VALUE_' + typeof raw;
  return new SalesforceApiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from ${token} value ${JSON.stringify(raw)} or request may be missing a required field`,
  );
}

/** Salesforce's JSON dateTime form, e.g. `2024-05-01T09:30:00.000+0000`. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
