import { randomUUID } from 'node:crypto';
import type { Clock } from '@telltale/db';
import { IdentityTokenIssuer, ServiceRuntime, jsonBodyLimitFor, kafkaClientSecurity, startService, type StartedService } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { ApiKeysService } from './api-keys/api-keys.service';
import type { AppConfig, Bootstrap } from './app.config';
import { APP_SCHEMA, appEntities, appMigrations } from './app.entities';
import { AppModule } from './app.module';
import { OrganizationsService } from './organizations/organizations.service';
import { AuthenticatorSlot } from './sessions/app-authenticator';
import { UsersService } from './users/users.service';
import { serveWebApp } from './web/web-static';

export function createAppRuntime(config: AppConfig, overrides: { clock?: Clock; logger?: Logger; identity?: AuthenticatorSlot } = {}): ServiceRuntime {
  const slot = overrides.identity ?? new AuthenticatorSlot();
  return new ServiceRuntime({
    service: 'app',
    schema: APP_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: appEntities,
    migrations: appMigrations,
    producedTopics: [],
    runMigrations: config.RUN_MIGRATIONS,
    // The app authenticates browsers (session cookie + CSRF) and API keys itself, then signs for the others.
    identity: { verifier: null, internalCallers: new Map(), authenticate: slot.authenticate },
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    clock: overrides.clock,
    logger: overrides.logger,
  });
}

/** Brings the first organisation to what APP_BOOTSTRAP says (idempotent: safe on every start). */
async function applyBootstrap(service: StartedService, bootstrap: Bootstrap): Promise<void> {
  const organizations = service.app.get(OrganizationsService);
  const users = service.app.get(UsersService);
  await organizations.upsert(bootstrap.orgId, { name: bootstrap.name, signUpDomains: bootstrap.signUpDomains.map((d) => d.toLowerCase()) });
  await organizations.setProvider(bootstrap.orgId, bootstrap.identityProvider);
  for (const { email, role } of [...bootstrap.admins.map((email) => ({ email, role: 'admin' as const })), ...bootstrap.members]) {
    const existing = await users.findByEmail(email);
    if (!existing) await users.add(bootstrap.orgId, email, role, 'invited', null);
    else if (existing.orgId === bootstrap.orgId && existing.role !== role) await users.update(existing, { role });
  }
  if (bootstrap.apiKey) {
    const apiKeys = service.app.get(ApiKeysService);
    const id = ApiKeysService.idOf(bootstrap.apiKey.key);
    if (id && !(await apiKeys.exists(id))) {
      const operator = { orgId: bootstrap.orgId, userId: null, subject: `bootstrap:${randomUUID()}`, kind: 'user' as const, roles: ['admin' as const], scopes: null, email: null };
      await apiKeys.create(operator, { name: bootstrap.apiKey.name, scopes: bootstrap.apiKey.scopes as never, role: 'admin' }, bootstrap.apiKey.key);
    }
  }
}

export async function startApp(config: AppConfig, overrides: { clock?: Clock; logger?: Logger } = {}): Promise<StartedService> {
  const slot = new AuthenticatorSlot();
  const runtime = createAppRuntime(config, { ...overrides, identity: slot });
  const issuer = await IdentityTokenIssuer.fromPrivateJwk(config.IDENTITY_SIGNING_KEY, config.IDENTITY_ISSUER);
  const service = await startService({
    runtime,
    port: config.PORT,
    metricsPort: config.METRICS_PORT,
    host: config.HOST,
    // Bodies pass through to the services: as large as the largest they take (a sequence's 2 000 000 characters).
    jsonBodyLimitBytes: jsonBodyLimitFor(2_000_000),
    module: AppModule.forRuntime(runtime, config, { issuer, slot }),
    // The browser app, before Nest's routes (its pages are not API routes: no guard, their own headers).
    configure: (app) => void serveWebApp(app, { root: config.APP_WEB_ROOT, trackingUrl: config.APP_TRACKING_URL }),
  });
  if (config.APP_BOOTSTRAP) {
    try {
      await applyBootstrap(service, config.APP_BOOTSTRAP);
    } catch (err) {
      await service.stop();
      throw err;
    }
  }
  return service;
}
