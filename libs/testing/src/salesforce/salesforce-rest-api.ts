import { z } from 'zod';
import { notFound, SalesforceApiError } from './salesforce-api-error';
import { describeBasic, describeGlobal, describeSObject, versionResources } from './salesforce-describe';
import type { SalesforceRecordStore } from './salesforce-record-store';
import type { FieldDefinition, SalesforceSchema, SObjectDefinition, StoredRecord } from './salesforce-schema';
import { batchSizeFromHeader, QueryCursors, type QueryPage } from './query-cursors';
import { evaluateSoql } from './soql-evaluator';
import { parseSoql } from './soql-parser';
import { handleComposite } from './composite-request';

/**
 * The REST resources under `/services/data/vXX.X/` (REST API Developer Guide):
 * sObject Basic Information / Describe / Rows / Rows by External ID, Query and
 * QueryAll, and sObject Collections.
 */

export interface RestRequest {
  method: string;
  version: string;
  /** Path segments after `/services/data/vXX.X/`, URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  queryOptionsHeader: string | undefined;
  userId: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
}

type JsonRecord = Record<string, unknown>;

/** sObject Collections accept at most 200 records per request. */
const COLLECTION_LIMIT = 200;
const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [] as string[],
};

const jsonObject = z.record(z.string(), z.unknown());
const collectionBody = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(jsonObject),
});
const retrieveBody = z.object({ ids: z.array(z.string()), fields: z.array(z.string()).min(1) });

type CollectionResult = { id?: string | null; success: boolean; errors: unknown[]; created?: boolean };

class RollBack extends Error {}

export class SalesforceRestApi {
  private readonly cursors = new QueryCursors<JsonRecord>();

  constructor(
    private readonly schema: SalesforceSchema,
    private readonly store: SalesforceRecordStore,
  ) {}

  handle(req: RestRequest): RestResponse {
    const [resource, ...rest] = req.segments;
    switch (resource) {
      case undefined:
        this.allow(req, ['GET']);
        return { status: 200, body: versionResources(req.version) };
      case 'sobjects':
        return this.sobjects(req, rest);
      case 'query':
      case 'queryAll':
        this.allow(req, ['GET']);
        return this.query(req, rest, resource === 'queryAll');
      case 'composite':
        if (rest[0] === 'sobjects') return this.collections(req, rest.slice(1));
        if (rest.length === 0) {
          this.allow(req, ['POST']);
          return handleComposite(req, (sub) => this.handle(sub), (work) => this.store.atomically(work));
        }
        throw notFound();
      default:
        throw notFound();
    }
  }

  private sobjects(req: RestRequest, path: string[]): RestResponse {
    if (path.length === 0) {
      this.allow(req, ['GET']);
      return { status: 200, body: describeGlobal(req.version, this.schema.objects()) };
    }
    const object = this.schema.object(path[0] as string);
    if (!object) throw notFound();
    const [, second, third] = path;
    if (path.length === 1) {
      this.allow(req, ['GET', 'POST']);
      if (req.method === 'GET') return { status: 200, body: describeBasic(req.version, object) };
      const id = this.store.create(object, this.bodyObject(req), req.userId);
      return { status: 201, body: { id, success: true, errors: [] } };
    }
    if (path.length === 2 && second === 'describe') {
      this.allow(req, ['GET']);
      return { status: 200, body: describeSObject(req.version, object, (field) => this.store.fieldSecurity.access(req.userId, object, field)) };
    }
    if (path.length === 2 && second !== undefined) return this.row(req, object, second);
    if (path.length === 3 && second !== undefined && third !== undefined) {
      return this.rowByExternalId(req, object, second, third);
    }
    throw notFound();
  }

  private row(req: RestRequest, object: SObjectDefinition, id: string): RestResponse {
    // "POST …/sobjects/{Object}/Id" creates a record: Id as the external ID with a null value.
    if (req.method === 'POST' && id === 'Id') {
      const created = this.store.create(object, this.bodyObject(req), req.userId);
      return { status: 201, body: { id: created, success: true, errors: [] } };
    }
    this.allow(req, ['GET', 'PATCH', 'DELETE']);
    switch (req.method) {
      case 'GET': {
        const record = this.store.retrieve(object, id);
        return { status: 200, body: this.recordJson(req.version, object, record, this.fieldsParam(req, object)) };
      }
      case 'PATCH':
        this.store.update(object, id, this.bodyObject(req), req.userId);
        return { status: 204 };
      default:
        this.store.remove(object, id);
        return { status: 204 };
    }
  }

  private rowByExternalId(req: RestRequest, object: SObjectDefinition, fieldName: string, value: string): RestResponse {
    this.allow(req, ['GET', 'PATCH', 'DELETE']);
    const field = this.schema.field(object, fieldName);
    if (!field || !(field.externalId || field.idLookup)) {
      throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
    }
    if (req.method === 'PATCH') {
      const outcome = this.store.upsert(object, field.name, value, this.bodyObject(req), req.userId, {
        updateOnly: req.query.get('updateOnly') === 'true',
        apiVersion: req.version,
      });
      // "The created parameter is present in the response in API version 46.0 and later";
      // before that an update answered 204 No Content.
      if (Number.parseFloat(req.version) < 46) {
        return outcome.created ? { status: 201, body: { id: outcome.id, success: true, errors: [] } } : { status: 204 };
      }
      return {
        status: outcome.created ? 201 : 200,
        body: { id: outcome.id, success: true, errors: [], created: outcome.created },
      };
    }
    const matches = this.store
      .records(object)
      .filter((r) => typeof r[field.name] === 'string' && String(r[field.name]).toLowerCase() === value.toLowerCase());
    if (matches.length === 0) throw notFound();
    if (matches.length > 1) {
      const urls = matches.map((r) => this.recordUrl(req.version, object, String(r.Id)));
      throw new SalesforceApiError(300, 'MULTIPLE_CHOICES', 'Multiple records found', [], urls);
    }
    const match = matches[0] as StoredRecord;
    if (req.method === 'GET') {
      return { status: 200, body: this.recordJson(req.version, object, match, this.fieldsParam(req, object)) };
    }
    this.store.remove(object, String(match.Id));
    return { status: 204 };
  }

  private query(req: RestRequest, path: string[], includeDeleted: boolean): RestResponse {
    const [locator] = path;
    if (locator !== undefined) {
      const page = this.cursors.next(locator);
      if (!page) throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return { status: 200, body: this.queryPage(req.version, page, includeDeleted) };
    }
    const soql = req.query.get('q');
    if (soql === null || soql.trim() === '') throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = evaluateSoql(
      parseSoql(soql),
      this.schema,
      (object) => this.store.records(object, { includeDeleted }),
      (object, field) => this.store.fieldSecurity.visible(req.userId, object, field),
    );
    if (result.fields.length === 0) {
      return { status: 200, body: { totalSize: result.totalSize, done: true, records: [] } };
    }
    const rows = result.records.map((r) => this.recordJson(req.version, result.object, r, result.fields));
    const page = this.cursors.open(rows, batchSizeFromHeader(req.queryOptionsHeader));
    return { status: 200, body: this.queryPage(req.version, page, includeDeleted) };
  }

  private queryPage(version: string, page: QueryPage<JsonRecord>, includeDeleted: boolean): JsonRecord {
    const body: JsonRecord = { totalSize: page.totalSize, done: page.locator === null, records: page.records };
    if (page.locator !== null) {
      body.nextRecordsUrl = `/services/data/v${version}/${includeDeleted ? 'queryAll' : 'query'}/${page.locator}`;
    }
    return body;
  }

  private collections(req: RestRequest, path: string[]): RestResponse {
    if (path.length === 0) {
      this.allow(req, ['POST', 'PATCH', 'DELETE']);
      if (req.method === 'DELETE') return this.collectionDelete(req);
      const body = this.collectionBody(req);
      return req.method === 'POST'
        ? this.collectionWrite(body, (record) => this.collectionCreate(record, req.userId))
        : this.collectionWrite(body, (record) => this.collectionUpdate(record, req.userId));
    }
    const object = this.schema.object(path[0] as string);
    if (!object) throw notFound();
    if (path.length === 1) {
      this.allow(req, ['GET', 'POST']);
      return this.collectionRetrieve(req, object);
    }
    if (path.length === 2) {
      this.allow(req, ['PATCH']);
      const field = this.schema.field(object, path[1] as string);
      if (!field || !(field.externalId || field.idLookup)) {
        throw notFound(`Provided external ID field does not exist or is not accessible: ${path[1] as string}`);
      }
      if (field.name === 'Id') {
        // "Only external ids are supported. Don't use record ids."
        throw new SalesforceApiError(400, 'INVALID_FIELD', 'Upsert by Id is not supported by sObject Collections; use an External ID field', ['Id']);
      }
      const body = this.collectionBody(req);
      const keyOf = (record: JsonRecord): unknown => Object.entries(record).find(([k]) => k.toLowerCase() === field.name.toLowerCase())?.[1];
      const seen = new Map<string, number>();
      for (const record of body.records) {
        const value = keyOf(record);
        if (typeof value === 'string') seen.set(value.toLowerCase(), (seen.get(value.toLowerCase()) ?? 0) + 1);
      }
      return this.collectionWrite(body, (record) => {
        if (this.recordObject(record) !== object) {
          throw new SalesforceApiError(400, 'INVALID_TYPE', `records must be of type ${object.name}`);
        }
        const value = keyOf(record);
        if (typeof value !== 'string' || value === '') {
          throw new SalesforceApiError(400, 'MISSING_ARGUMENT', `${field.name} not specified`, [field.name]);
        }
        // Upsert results (SOAP API "upsert()", DUPLICATE_EXTERNAL_ID): the same key twice in one call,
        // or a key matching several records, fails that record instead of guessing.
        if ((seen.get(value.toLowerCase()) ?? 0) > 1) {
          throw new SalesforceApiError(400, 'DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${value}`, [field.name]);
        }
        try {
          const outcome = this.store.upsert(object, field.name, value, record, req.userId, { apiVersion: req.version });
          return { id: outcome.id, success: true, errors: [], created: outcome.created };
        } catch (err) {
          if (err instanceof SalesforceApiError && err.errorCode === 'MULTIPLE_CHOICES') {
            throw new SalesforceApiError(
              400,
              'DUPLICATE_EXTERNAL_ID',
              `A user-specified external ID matches more than one record during an upsert: ${field.name} = ${value}`,
              [field.name],
            );
          }
          throw err;
        }
      });
    }
    throw notFound();
  }

  /**
   * Applies `write` to each record. With allOrNone every change is undone when one
   * record fails, and the records that had succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
   */
  private collectionWrite(
    body: z.infer<typeof collectionBody>,
    write: (record: JsonRecord) => CollectionResult,
  ): RestResponse {
    const allOrNone = body.allOrNone === true;
    let results: CollectionResult[] = [];
    try {
      this.store.atomically(() => {
        results = body.records.map((record) => this.attempt(() => write(record)));
        if (allOrNone && results.some((r) => !r.success)) throw new RollBack();
      });
    } catch (err) {
      if (!(err instanceof RollBack)) throw err;
      results = results.map((r) => (r.success ? { id: null, success: false, errors: [ROLLED_BACK] } : r));
    }
    return { status: 200, body: results };
  }

  private attempt(write: () => CollectionResult): CollectionResult {
    try {
      return write();
    } catch (err) {
      if (!(err instanceof SalesforceApiError)) throw err;
      return { success: false, errors: [err.toCollectionError()] };
    }
  }

  private collectionCreate(record: JsonRecord, userId: string): CollectionResult {
    return { id: this.store.create(this.recordObject(record), record, userId), success: true, errors: [] };
  }

  private collectionUpdate(record: JsonRecord, userId: string): CollectionResult {
    const object = this.recordObject(record);
    const idEntry = Object.entries(record).find(([k]) => k.toLowerCase() === 'id');
    const id = idEntry?.[1];
    if (typeof id !== 'string' || id === '') {
      throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
    }
    const fields = Object.fromEntries(Object.entries(record).filter(([k]) => k.toLowerCase() !== 'id'));
    try {
      return { id: this.store.update(object, id, fields, userId), success: true, errors: [] };
    } catch (err) {
      if (err instanceof SalesforceApiError) return { id, success: false, errors: [err.toCollectionError()] };
      throw err;
    }
  }

  private collectionDelete(req: RestRequest): RestResponse {
    const ids = (req.query.get('ids') ?? '').split(',').filter((id) => id !== '');
    if (ids.length === 0) throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > COLLECTION_LIMIT) throw this.tooManyRecords();
    return this.collectionWrite(
      { allOrNone: req.query.get('allOrNone') === 'true', records: ids.map((id) => ({ id })) },
      (entry) => {
        const id = String(entry.id);
        const object = this.schema.objectForId(id);
        try {
          if (!object) throw new SalesforceApiError(400, 'MALFORMED_ID', `malformed id ${id}`, ['Id']);
          return { id: this.store.remove(object, id), success: true, errors: [] };
        } catch (err) {
          if (err instanceof SalesforceApiError) {
            const code = err.errorCode === 'NOT_FOUND' ? 'INVALID_CROSS_REFERENCE_KEY' : err.errorCode;
            const message = err.errorCode === 'NOT_FOUND' ? 'invalid cross reference id' : err.message;
            return { id, success: false, errors: [{ statusCode: code, message, fields: [] }] };
          }
          throw err;
        }
      },
    );
  }

  private collectionRetrieve(req: RestRequest, object: SObjectDefinition): RestResponse {
    let ids: string[];
    let fieldNames: string[];
    if (req.method === 'GET') {
      ids = (req.query.get('ids') ?? '').split(',').filter((id) => id !== '');
      fieldNames = (req.query.get('fields') ?? '').split(',').filter((f) => f !== '');
      if (fieldNames.length === 0) throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'fields parameter is required');
    } else {
      const parsed = retrieveBody.safeParse(req.body);
      if (!parsed.success) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Body must contain ids and fields');
      ids = parsed.data.ids;
      fieldNames = parsed.data.fields;
    }
    if (ids.length > 2000) throw new SalesforceApiError(400, 'EXCEEDED_ID_LIMIT', 'Maximum of 2000 ids exceeded');
    const fields = fieldNames.map((name) => this.requireField(object, name));
    const records = ids.map((id) => {
      try {
        return this.recordJson(req.version, object, this.store.retrieve(object, id), fields);
      } catch (err) {
        if (err instanceof SalesforceApiError) return null;
        throw err;
      }
    });
    return { status: 200, body: records };
  }

  private collectionBody(req: RestRequest): z.infer<typeof collectionBody> {
    const parsed = collectionBody.safeParse(req.body);
    if (!parsed.success) {
      throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Request body must be { allOrNone?: boolean, records: [...] }');
    }
    if (parsed.data.records.length > COLLECTION_LIMIT) throw this.tooManyRecords();
    for (const record of parsed.data.records) this.recordTypeName(record);
    return parsed.data;
  }

  private tooManyRecords(): SalesforceApiError {
    return new SalesforceApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`,
    );
  }

  /** Every record in a collection names its type in `attributes` ("Each object must contain an attributes map"). */
  private recordTypeName(record: JsonRecord): string {
    const attributes = jsonObject.safeParse(record.attributes);
    const type = attributes.success ? attributes.data.type : undefined;
    if (typeof type !== 'string' || type === '') {
      throw new SalesforceApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
    }
    return type;
  }

  private recordObject(record: JsonRecord): SObjectDefinition {
    const type = this.recordTypeName(record);
    const object = this.schema.object(type);
    if (!object) throw new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
    return object;
  }

  private bodyObject(req: RestRequest): JsonRecord {
    const parsed = jsonObject.safeParse(req.body);
    if (!parsed.success || Array.isArray(req.body)) {
      throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
    }
    return parsed.data;
  }

  private fieldsParam(req: RestRequest, object: SObjectDefinition): FieldDefinition[] | null {
    const fields = req.query.get('fields');
    if (fields === null || fields === '') return null;
    return fields.split(',').map((name) => this.requireField(object, name.trim()));
  }

  private requireField(object: SObjectDefinition, name: string): FieldDefinition {
    const field = this.schema.field(object, name);
    if (!field) throw new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${object.name}'.`);
    return field;
  }

  private recordUrl(version: string, object: SObjectDefinition, id: string): string {
    return `/services/data/v${version}/sobjects/${object.name}/${id}`;
  }

  /** A record as the API shows it: an `attributes` map, then the fields in describe order. */
  private recordJson(
    version: string,
    object: SObjectDefinition,
    record: StoredRecord,
    fields: ReadonlyArray<{ name: string }> | null,
  ): JsonRecord {
    const out: JsonRecord = { attributes: { type: object.name, url: this.recordUrl(version, object, String(record.Id)) } };
    const names = fields ? fields.map((f) => f.name) : object.fields.map((f) => f.name).filter((n) => n in record);
    for (const name of names) out[name] = record[name] ?? null;
    return out;
  }

  private allow(req: RestRequest, methods: string[]): void {
    if (!methods.includes(req.method)) {
      throw new SalesforceApiError(
        405,
        'METHOD_NOT_ALLOWED',
        `HTTP Method '${req.method}' not allowed. Allowed are ${methods.join(',')}`,
      );
    }
  }
}
