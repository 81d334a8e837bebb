import { malformedQuery, SalesforceApiError } from './salesforce-api-error';
import { toCanonicalId } from './salesforce-id';
import type { FieldDefinition, SalesforceSchema, SObjectDefinition, StoredRecord, StoredValue } from './salesforce-schema';
import type { SoqlCondition, SoqlLiteral, SoqlQuery } from './soql-parser';

/**
 * Runs a parsed SOQL query over an object's records with SOQL's semantics:
 * text comparisons and sorting ignore case, `!=` and `NOT IN` also match nulls,
 * nulls sort first unless `NULLS LAST`, and literals must fit the field's type.
 */

export interface SoqlResult {
  object: SObjectDefinition;
  /** Selected fields in SELECT order; empty for COUNT(). */
  fields: FieldDefinition[];
  /** Matching rows, whole: the caller shows the selected fields. */
  records: StoredRecord[];
  /** For COUNT(): the number of matching rows; otherwise records.length. */
  totalSize: number;
}

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'combobox']);

type Comparable = string | number | boolean | null;

export function evaluateSoql(
  query: SoqlQuery,
  schema: SalesforceSchema,
  loadRecords: (object: SObjectDefinition) => StoredRecord[],
  /** Field-level security: a field the caller cannot see does not exist for the query. */
  visible: (object: SObjectDefinition, field: FieldDefinition) => boolean = () => true,
): SoqlResult {
  const object = schema.object(query.from);
  if (!object) {
    throw new SalesforceApiError(
      400,
      'INVALID_TYPE',
      `sObject type '${query.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const resolve = (name: string): FieldDefinition => resolveField(schema, object, name, visible);

  const fields: FieldDefinition[] = [];
  if (query.select.kind === 'fields') {
    for (const name of query.select.fields) {
      const field = resolve(name);
      if (fields.includes(field)) throw malformedQuery(`duplicate field selected: ${field.name}`);
      fields.push(field);
    }
  }
  const predicate = query.where ? compileCondition(query.where, resolve) : () => true;
  const orderBy = query.orderBy.map((o) => {
    const field = resolve(o.field);
    if (field.type === 'textarea' && field.length > 255) {
      throw new SalesforceApiError(400, 'INVALID_FIELD', `field '${field.name}' can not be sorted in a query call`);
    }
    return { ...o, field };
  });

  let rows = loadRecords(object).filter(predicate);
  if (orderBy.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const order of orderBy) {
        const result = compareForSort(sortKey(order.field, a[order.field.name]), sortKey(order.field, b[order.field.name]), order);
        if (result !== 0) return result;
      }
      return 0;
    });
  }
  const offset = query.offset ?? 0;
  const end = query.limit === null ? undefined : offset + query.limit;
  rows = rows.slice(offset, end);

  if (query.select.kind === 'count') return { object, fields: [], records: [], totalSize: rows.length };
  return { object, fields, records: rows, totalSize: rows.length };
}

function resolveField(
  schema: SalesforceSchema,
  object: SObjectDefinition,
  name: string,
  visible: (object: SObjectDefinition, field: FieldDefinition) => boolean,
): FieldDefinition {
  const field = schema.field(object, name);
  if (!field || !visible(object, field)) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return field;
}

type Predicate = (record: StoredRecord) => boolean;

function compileCondition(condition: SoqlCondition, resolve: (name: string) => FieldDefinition): Predicate {
  switch (condition.kind) {
    case 'and': {
      const parts = condition.operands.map((c) => compileCondition(c, resolve));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = condition.operands.map((c) => compileCondition(c, resolve));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compileCondition(condition.operand, resolve);
      return (r) => !inner(r);
    }
    case 'compare': {
      const field = filterableField(resolve(condition.field));
      const expected = literalFor(field, condition.value);
      const { operator } = condition;
      if (expected === null && operator !== '=' && operator !== '!=') {
        throw malformedQuery(`null can only be compared with = or != (field '${field.name}')`);
      }
      return (r) => {
        const actual = comparable(field, r[field.name]);
        switch (operator) {
          case '=':
            return actual === expected;
          case '!=':
            return actual !== expected;
          default:
            return actual !== null && expected !== null && ordered(actual, expected, operator);
        }
      };
    }
    case 'in': {
      const field = filterableField(resolve(condition.field));
      const values = condition.values.map((v) => literalFor(field, v));
      return (r) => values.includes(comparable(field, r[field.name])) !== condition.negated;
    }
    case 'like': {
      const field = filterableField(resolve(condition.field));
      if (!TEXT_TYPES.has(field.type)) {
        throw new SalesforceApiError(400, 'INVALID_FIELD', `invalid operator on ${field.type} field '${field.name}': LIKE`);
      }
      const pattern = likeToRegExp(condition.pattern);
      return (r) => {
        const actual = r[field.name];
        return typeof actual === 'string' && pattern.test(actual);
      };
    }
  }
}

function filterableField(field: FieldDefinition): FieldDefinition {
  // Long text areas "can not be filtered in a query call".
  if (field.type === 'textarea' && field.length > 255) {
    throw new SalesforceApiError(400, 'INVALID_FIELD', `field '${field.name}' can not be filtered in a query call`);
  }
  return field;
}

/** The literal as a value comparable with `comparable(field, …)`, or a type error. */
function literalFor(field: FieldDefinition, literal: SoqlLiteral): Comparable {
  if (literal.kind === 'null') return null;
  const mismatch = (type: string, quoted: boolean): SalesforceApiError =>
    new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `value of filter criterion for field '${field.name}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
    );
  if (TEXT_TYPES.has(field.type)) {
    if (literal.kind !== 'string') throw mismatch('string', true);
    return literal.value.toUpperCase();
  }
  switch (field.type) {
    case 'id':
    case 'reference': {
      if (literal.kind !== 'string') throw mismatch('id', true);
      const id = toCanonicalId(literal.value);
      if (!id) throw new SalesforceApiError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal.value}`);
      return id;
    }
    case 'boolean':
      if (literal.kind !== 'boolean') throw mismatch('boolean', false);
      return literal.value;
    case 'date':
      if (literal.kind !== 'date') throw mismatch('date', false);
      return literal.value;
    case 'datetime':
      if (literal.kind !== 'datetime') throw mismatch('dateTime', false);
      return Date.parse(literal.value);
    case 'int':
    case 'double':
      if (literal.kind !== 'number') throw mismatch('number', false);
      return literal.value;
    default:
      throw mismatch(field.type, false);
  }
}

function comparable(field: FieldDefinition, value: StoredValue | undefined): Comparable {
  if (value === null || value === undefined) return null;
  if (TEXT_TYPES.has(field.type) && typeof value === 'string') return value.toUpperCase();
  if (field.type === 'datetime' && typeof value === 'string') return Date.parse(value.replace(/\+0000$/, 'Z'));
  return value;
}

function ordered(actual: Exclude<Comparable, null>, expected: Exclude<Comparable, null>, operator: '<' | '<=' | '>' | '>='): boolean {
  switch (operator) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

function sortKey(field: FieldDefinition, value: StoredValue | undefined): Comparable {
  return comparable(field, value);
}

function compareForSort(a: Comparable, b: Comparable, order: { descending: boolean; nullsFirst: boolean }): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === order.nullsFirst ? -1 : 1;
  }
  const base = a < b ? -1 : a > b ? 1 : 0;
  return order.descending ? -base : base;
}

/** LIKE: `%` any run, `_` one character, `\%` and `\_` literal; case-insensitive. */
function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern.charAt(i);
    if (ch === '\\' && (pattern.charAt(i + 1) === '%' || pattern.charAt(i + 1) === '_')) {
      source += pattern.charAt(i + 1);
      i += 1;
    } else if (ch === '%') {
      source += '.*';
    } else if (ch === '_') {
      source += '.';
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'is');
}
