import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ACCESS_METADATA, type RouteAccess } from './access.decorators';

export interface RouteEntry {
  method: string;
  /** Express-style path, e.g. `/v1/mailboxes/:id`. */
  path: string;
  controller: string;
  handler: string;
  /** null: the route declares no access rule (refused by the guard; start-up and the matrix test fail). */
  access: RouteAccess | null;
}

const join = (...parts: string[]): string => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/**
 * Every HTTP route of a started Nest application with its access rule, read from the controllers'
 * metadata: what the authorization matrix test is generated from, so a new route cannot be missed.
 */
export function routeTable(app: INestApplication): RouteEntry[] {
  const reflector = app.get(Reflector);
  const routes: RouteEntry[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!type?.prototype) continue;
      const basePaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const paths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const access = reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_METADATA, [handler, type]) ?? null;
        for (const base of basePaths) {
          for (const path of paths) routes.push({ method: RequestMethod[method], path: join(base, path), controller: type.name, handler: name, access });
        }
      }
    }
  }
  return routes;
}

/** Refuses to start a service with a route that declares no access rule. */
export function assertEveryRouteClassified(app: INestApplication): void {
  const missing = routeTable(app).filter((r) => r.access === null);
  if (missing.length > 0) throw new Error(`routes without an access rule (@Public, @Internal or @Members): ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}`);
}
