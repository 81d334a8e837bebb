import 'reflect-metadata';
import { Module, ParseUUIDPipe, type DynamicModule, type Type } from '@nestjs/common';
import { PARAMTYPES_METADATA, ROUTE_ARGS_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { upstreamFor } from '@telltale/app/dist/src/gateway/upstreams';
import { OPENAPI_DOCUMENT_PATH } from '@telltale/app/dist/src/openapi/openapi.controller';
import { routeTable, type RouteEntry } from '@telltale/runtime';
import { handlerDocumentation } from './handler-docs';
import { ROUTE_INPUTS, SERVICE_CONTROLLERS, type ApiService, type RouteInput } from './public-api';

/** docs/openapi.yaml, where the app reads it from (services/app/src/openapi). */
export const OPENAPI_PATH = OPENAPI_DOCUMENT_PATH;
const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');

type JsonObject = Record<string, unknown>;

/** One route of the public API, as users call it. */
export interface PublicOperation {
  service: ApiService;
  method: string;
  /** OpenAPI path (`/api/v1/mailboxes/{id}`). */
  path: string;
  /** The route as the service itself serves it (`/v1/mailboxes/:id`). */
  servicePath: string;
  operation: JsonObject;
}

/** Which routes the public document holds: members' routes (the gateway's catch-all aside) and the sign-in pages. */
function isPublicApi(route: RouteEntry): boolean {
  const access = route.access;
  if (!access) throw new Error(`${route.method} ${route.path} (${route.controller}.${route.handler}) declares no access rule`);
  if (access.kind === 'member') return access.resource !== null;
  return access.kind === 'public' && access.reason === 'sign-in';
}

/**
 * A Nest application of the controllers alone, in preview mode: routes and metadata are read, no
 * provider or controller is constructed (each constructor dependency is a placeholder).
 */
function previewModule(controllers: readonly Type[]): DynamicModule {
  const tokens = new Set<unknown>();
  for (const controller of controllers) {
    const types = (Reflect.getMetadata(PARAMTYPES_METADATA, controller) ?? []) as unknown[];
    const injected = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, controller) ?? []) as { index: number; param: unknown }[];
    types.forEach((type, index) => tokens.add(injected.find((i) => i.index === index)?.param ?? type));
  }
  @Module({})
  class OpenApiPreviewModule {}
  return { module: OpenApiPreviewModule, controllers: [...controllers], providers: [...tokens].map((token) => ({ provide: token as string, useValue: {} })) };
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const toOpenApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/** The handler's parameter decorators (`@Param('id', ParseUUIDPipe)`, `@Body()`, `@Query()`), keyed by kind. */
function routeArguments(controller: Type, handler: string): { type: RouteParamtypes; argument: RouteArgument }[] {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, RouteArgument>;
  return Object.entries(metadata).map(([key, argument]) => ({ type: Number(key.split(':')[0]) as RouteParamtypes, argument }));
}

/** Reads one service's controllers with @nestjs/swagger and keeps its public routes. */
async function readService(service: ApiService): Promise<PublicOperation[]> {
  const controllers = SERVICE_CONTROLLERS[service];
  const app = await NestFactory.create(previewModule(controllers), { preview: true, logger: false });
  try {
    const swagger = SwaggerModule.createDocument(app, new DocumentBuilder().build(), { autoTagControllers: false });
    const operations: PublicOperation[] = [];
    for (const route of routeTable(app)) {
      if (!isPublicApi(route)) continue;
      const method = route.method.toLowerCase();
      const servicePath = toOpenApiPath(route.path);
      const operation = (swagger.paths[servicePath] as Record<string, JsonObject> | undefined)?.[method];
      if (!operation) throw new Error(`@nestjs/swagger did not read ${route.method} ${route.path} of ${service}`);
      const controller = controllers.find((c) => c.name === route.controller)!;
      let path = servicePath;
      if (service !== 'app') {
        // The gateway forwards /api/v1/<path> to the service that owns /v1/<path>.
        if (!route.path.startsWith('/v1/')) throw new Error(`${service} serves the member route ${route.path} outside /v1/: the gateway cannot reach it`);
        const owner = upstreamFor(route.path.replace(/:[A-Za-z0-9_]+/g, '00000000-0000-4000-8000-000000000000'));
        if (owner !== service) throw new Error(`the gateway sends ${route.method} /api${route.path} to ${owner ?? 'no service'}, but ${service} serves it (services/app/src/gateway/upstreams.ts)`);
        path = `/api${servicePath}`;
      }
      operations.push({ service, method, path, servicePath: route.path, operation: { ...operation, 'x-controller': controller, 'x-route': route } });
    }
    return operations;
  } finally {
    await app.close();
  }
}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), in its input shape (defaults optional). */
export function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as JsonObject;
  delete json.$schema;
  if ('$defs' in json) throw new Error('a request schema with $defs (a recursive zod schema) cannot be inlined in the OpenAPI document');
  return json;
}

/** Query parameters from a zod object (a union of objects: a property is required only when every variant requires it). */
function queryParameters(schema: NonNullable<RouteInput['query']>): JsonObject[] {
  const json = jsonSchemaOf(schema);
  const variants = (json.anyOf ?? json.oneOf ?? [json]) as { properties?: Record<string, JsonObject>; required?: string[] }[];
  const names = [...new Set(variants.flatMap((v) => Object.keys(v.properties ?? {})))];
  return names.map((name) => {
    const schemas = variants.map((v) => v.properties?.[name]).filter((s): s is JsonObject => s !== undefined);
    const distinct = [...new Map(schemas.map((s) => [JSON.stringify(s), s])).values()];
    return {
      name,
      in: 'query',
      required: variants.every((v) => v.required?.includes(name)),
      schema: distinct.length === 1 ? distinct[0] : { anyOf: distinct },
    };
  });
}

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

function successResponse(status: string, input: RouteInput | undefined): JsonObject {
  if (input?.browser) {
    return {
      '200': { description: 'A page for the browser (the sign-in form, or what went wrong).', content: { 'text/html': { schema: { type: 'string' } } } },
      '302': { description: 'On to the next step of the sign-in: the identity provider, or back into the app once signed in.', headers: { Location: { schema: { type: 'string' } } } },
    };
  }
  if (input?.eventStream) {
    return { [status]: { description: 'Server-Sent Events (`id`, `event`, JSON `data`) on a connection that stays open; resume with Last-Event-ID.', content: { 'text/event-stream': { schema: { type: 'string' } } } } };
  }
  if (status === '204') return { '204': { description: 'Done; no content.' } };
  return { [status]: { description: status === '201' ? 'Created.' : 'OK.', content: { 'application/json': { schema: {} } } } };
}

function buildOperation(op: PublicOperation, input: RouteInput | undefined): JsonObject {
  const route = op.operation['x-route'] as RouteEntry;
  const controller = op.operation['x-controller'] as Type;
  const access = route.access!;
  const args = routeArguments(controller, route.handler);
  const readsBody = args.some((a) => a.type === RouteParamtypes.BODY);
  const readsQuery = args.some((a) => a.type === RouteParamtypes.QUERY && a.argument.data === undefined);
  const key = `${route.method} ${op.path}`;
  if (readsBody && !input?.body) throw new Error(`${key} reads a body: add its zod schema to ROUTE_INPUTS (libs/system-tests/src/openapi/public-api.ts)`);
  if (readsQuery && !input?.query) throw new Error(`${key} reads its query: add its zod schema to ROUTE_INPUTS (libs/system-tests/src/openapi/public-api.ts)`);
  if (input?.body && !readsBody) throw new Error(`ROUTE_INPUTS gives ${key} a body schema, but the handler reads no @Body()`);

  const uuidParams = new Set(
    args
      .filter((a) => a.type === RouteParamtypes.PARAM && (a.argument.pipes ?? []).some((p) => p instanceof ParseUUIDPipe || p === ParseUUIDPipe))
      .map((a) => String(a.argument.data)),
  );
  const pathParameters = ((op.operation.parameters ?? []) as JsonObject[])
    .filter((p) => p.in === 'path')
    .map((p) => ({ name: p.name, in: 'path', required: true, schema: uuidParams.has(String(p.name)) ? { type: 'string', format: 'uuid' } : { type: 'string' } }));
  const parameters = [...pathParameters, ...(input?.query ? queryParameters(input.query) : [])];

  const member = access.kind === 'member';
  const changes = !['get', 'head'].includes(op.method);
  const doc = handlerDocumentation(controller, route.handler);
  const lines: string[] = [];
  if (doc.description) lines.push(doc.description);
  if (member) {
    const scope = `${access.resource}:${changes ? 'write' : 'read'}`;
    lines.push(`Access: ${access.roles.length > 0 ? `the ${access.roles.join(' or ')} role` : 'any member'}; an API key needs the \`${scope}\` (or \`${changes ? 'write' : 'read'}\`) scope.`);
  } else {
    lines.push('Access: anyone (a browser signing in).');
  }

  const status = Object.keys((op.operation.responses ?? {}) as JsonObject)[0] ?? '200';
  const responses: JsonObject = { ...successResponse(status, input) };
  if (input?.browser) {
    responses['4XX'] = {
      description: 'The sign-in page again, with what went wrong; what is refused before the page (NUL in the query, a URL over 16 kB) is a JSON error.',
      content: { 'text/html': { schema: { type: 'string' } }, 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  } else {
    responses['400'] = ref('InvalidRequest');
    if (member) {
      responses['401'] = ref('Unauthenticated');
      responses['403'] = ref('Forbidden');
    }
    if (pathParameters.length > 0) responses['404'] = ref('NotFound');
    if (readsBody || input?.rawBody) {
      responses['413'] = ref('PayloadTooLarge');
      responses['415'] = ref('UnsupportedMediaType');
    }
    responses['4XX'] = ref('ClientError');
    if (op.service !== 'app') {
      responses['503'] = ref('ServiceUnavailable');
      responses['504'] = ref('GatewayTimeout');
    }
  }

  const operation: JsonObject = {
    operationId: `${lowerFirst(route.controller.replace(/Controller$/, ''))}_${route.handler}`,
    tags: [member ? String(access.resource) : 'sign-in'],
    ...(doc.summary ? { summary: doc.summary } : {}),
    description: lines.join('\n\n'),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(input?.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(input.body) } } } } : {}),
    ...(input?.rawBody
      ? { requestBody: { required: true, description: input.rawBody.description, content: Object.fromEntries(input.rawBody.mediaTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])) } }
      : {}),
    responses,
    security: member
      ? [{ apiKey: [`${access.resource}:${changes ? 'write' : 'read'}`] }, changes ? { session: [], csrfToken: [] } : { session: [] }]
      : [],
    'x-telltale-service': op.service,
    ...(member && access.roles.length > 0 ? { 'x-telltale-roles': [...access.roles] } : {}),
  };
  return operation;
}

const ErrorSchema = {
  type: 'object',
  description: 'Every error of the API: a stable code, and for a person a sentence saying what to do.',
  required: ['error'],
  properties: {
    error: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', description: 'What went wrong, as a snake_case code (`invalid_request`, `unauthenticated`, `mailbox_not_found`, …).' },
    message: { type: 'string' },
    issues: {
      type: 'array',
      description: 'For `invalid_request`: each field that was refused (`to.0.address`, `query.email`, `path`) and why.',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: { type: 'string' },
          message: { type: 'string' },
          code: { type: 'string', description: 'Why, for a client to word it: zod’s issue code (`too_small`, `too_big`, `invalid_format`, `invalid_type`, `invalid_value`, `custom`, …) or `invalid_text` (NUL or an unpaired surrogate).' },
          origin: { type: 'string', description: '`too_small` / `too_big`: what was measured (`string`, `number`, `array`).' },
          minimum: { type: 'number' },
          maximum: { type: 'number' },
          inclusive: { type: 'boolean' },
          format: { type: 'string', description: '`invalid_format`: `email`, `url`, `uuid`, `regex`, `cidrv4`, …' },
          expected: { type: 'string', description: '`invalid_type`: the type expected.' },
          values: { type: 'array', items: { type: 'string' }, description: '`invalid_value`: the values allowed (at most 20).' },
        },
      },
    },
  },
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function appVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'services', 'app', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Every public route, read from the controllers of the app and of the services behind its gateway. */
export async function readPublicOperations(): Promise<PublicOperation[]> {
  const operations: PublicOperation[] = [];
  for (const service of Object.keys(SERVICE_CONTROLLERS) as ApiService[]) operations.push(...(await readService(service)));
  const seen = new Set<string>();
  for (const op of operations) {
    const key = `${op.method.toUpperCase()} ${op.path}`;
    if (seen.has(key)) throw new Error(`two services serve ${key}`);
    seen.add(key);
  }
  for (const key of Object.keys(ROUTE_INPUTS)) if (!seen.has(key)) throw new Error(`ROUTE_INPUTS names ${key}, which is not a public route`);
  return operations;
}

/** The OpenAPI 3.1 document of the public API, as `docs/openapi.yaml` holds it. */
export async function buildOpenApiDocument(): Promise<JsonObject> {
  const operations = await readPublicOperations();
  operations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const op of operations) {
    const input = ROUTE_INPUTS[`${op.method.toUpperCase()} ${op.path}`];
    (paths[op.path] ??= {})[op.method] = buildOperation(op, input);
  }
  const ids = Object.values(paths).flatMap((p) => Object.values(p).map((o) => o.operationId as string));
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`two operations would have the id ${duplicate}`);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Telltale API',
      version: appVersion(),
      description: [
        'The public API of Telltale, served by the app under `/api/v1`: the app authenticates the caller (a signed-in browser or an API key) and forwards each request to the service that owns it with a one-minute identity token; that service checks the role, the API key scopes and the organisation of every object.',
        '',
        'Authenticate with an API key (`Authorization: Bearer ttk_…`, made by an admin, shown once), or as a browser signed in through `/auth/sign-in` (the session cookie; every change also sends the `x-csrf-token` that `GET /api/v1/me` returns).',
        '',
        "Errors are JSON `{ error, message?, issues? }` with a 4xx status: 400 names each refused field, 401 asks for a credential, 403 says which role or scope is missing, and another organisation's object is a 404 like one that does not exist.",
        '',
        'This file is generated from the controllers and their zod schemas (libs/system-tests/src/openapi); do not edit it by hand.',
      ].join('\n'),
      license: { name: 'Apache-2.0' },
    },
    paths,
    components: {
      schemas: { Error: ErrorSchema },
      responses: {
        InvalidRequest: errorResponse('The request is invalid: `invalid_request` with `issues` naming each refused field (body, path or query), or `malformed_json`.'),
        Unauthenticated: errorResponse('No valid credential: sign in, or send an API key (`unauthenticated`).'),
        Forbidden: errorResponse("The caller's role, the API key's scopes or a missing CSRF token do not allow this."),
        NotFound: errorResponse("No such object in the caller's organisation."),
        PayloadTooLarge: errorResponse('The body is larger than the service reads (`payload_too_large`, with `limitBytes`).'),
        UnsupportedMediaType: errorResponse('The body is not UTF-8 JSON, or is sent with an unknown content encoding.'),
        ClientError: errorResponse('Any other refusal, with its code.'),
        ServiceUnavailable: errorResponse('The service that owns the route cannot be reached (`upstream_unavailable`); try again shortly.'),
        GatewayTimeout: errorResponse('The service that owns the route did not answer in time (`upstream_timeout`).'),
      },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'ttk_…', description: 'An API key made by an admin (`POST /api/v1/api-keys`); each operation names the scope it needs.' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'tt_session',
          description: 'The session cookie set by `/auth/callback` (`__Host-tt_session` when the app is served over TLS): HttpOnly, SameSite=Lax, with an idle and an absolute expiry.',
        },
        csrfToken: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: "A signed-in browser's CSRF token (from `GET /api/v1/me`), sent with every change." },
      },
    },
  };
}

export async function renderOpenApiYaml(): Promise<string> {
  return (
    '# Generated by `node libs/system-tests/dist/src/openapi/generate-openapi.js` (after `npx tsc -b`) from the controllers. Do not edit by hand.\n' +
    stringify(await buildOpenApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })
  );
}
