import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '@telltale/db';
import { API_RESOURCES, ROLES, ServiceRuntime, type Caller, type Role } from '@telltale/runtime';
import { z } from 'zod';
import { sameSecret, sha256 } from '../sessions/sessions.service';
import { ApiKey } from './api-key.entity';

const SCOPES = ['read', 'write', ...API_RESOURCES.flatMap((r) => [`${r}:read`, `${r}:write`])] as const;
const RANK: Record<Role, number> = { rep: 0, manager: 1, admin: 2 };

export const CreateApiKeyRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    /** The role the key acts with; never more than its creator's. Default manager. */
    role: z.enum(ROLES).default('manager'),
  })
  .strict();

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  role: k.role,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** `ttk_<id without dashes>_<secret>`: the id finds the row, the secret is compared by its hash. */
const KEY_PATTERN = /^ttk_([0-9a-f]{32})_([A-Za-z0-9_-]{32,200})$/;

const uuidOf = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

export const isApiKeyToken = (token: string): boolean => token.startsWith('ttk_');

/**
 * API keys for scripts and internal teams: created by admins, shown once, stored hashed, scoped,
 * revocable, last use recorded (at most once a minute per key).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.runtime.dataSource.getRepository(ApiKey);
  }

  /** `chosen`: the id and secret of a key an operator set in APP_BOOTSTRAP; otherwise both random. */
  async create(creator: Caller, request: z.output<typeof CreateApiKeyRequest>, chosen?: string): Promise<ApiKeyView & { key: string }> {
    const creatorRank = Math.max(...creator.roles.map((r) => RANK[r]));
    if (RANK[request.role] > creatorRank) throw new ForbiddenException({ error: 'forbidden', message: `A key cannot have more than your role (${request.role}).` });
    const parts = chosen ? KEY_PATTERN.exec(chosen) : null;
    if (chosen && !parts) throw new Error('a chosen API key must be ttk_<32 hex>_<secret>');
    const id = parts ? uuidOf(parts[1]!) : randomUUID();
    const value = parts ? parts[2]! : randomBytes(32).toString('base64url');
    const key = this.repo.create({
      id,
      orgId: creator.orgId,
      name: request.name,
      secretHash: sha256(value),
      scopes: [...new Set(request.scopes)],
      role: request.role,
      createdBy: creator.userId,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.repo.insert(key);
    return { ...toView(key), key: `ttk_${id.replaceAll('-', '')}_${value}` };
  }

  async exists(id: string): Promise<boolean> {
    return (await this.repo.countBy({ id })) > 0;
  }

  /** The id a `ttk_…` value names, if it has the shape of one. */
  static idOf(value: string): string | null {
    const match = KEY_PATTERN.exec(value);
    return match ? uuidOf(match[1]!) : null;
  }

  async list(orgId: string): Promise<ApiKeyView[]> {
    return (await this.repo.find({ where: { orgId }, order: { createdAt: 'DESC' }, take: 500 })).map(toView);
  }

  async revoke(orgId: string, id: string): Promise<ApiKeyView> {
    const key = await this.repo.findOneBy({ id, orgId });
    if (!key) throw new NotFoundException({ error: 'api_key_not_found', message: 'No such API key in your organisation.' });
    if (!key.revokedAt) {
      key.revokedAt = this.clock.now();
      await this.repo.update({ id }, { revokedAt: key.revokedAt });
    }
    return toView(key);
  }

  /** The live key a bearer token is, or null. */
  async authenticate(token: string): Promise<ApiKey | null> {
    const match = KEY_PATTERN.exec(token);
    if (!match) return null;
    const id = uuidOf(match[1]!);
    const key = await this.repo.findOneBy({ id });
    if (!key || key.revokedAt || !sameSecret(key.secretHash, sha256(match[2]!))) return null;
    const now = this.clock.now();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
      await this.repo.update({ id }, { lastUsedAt: now });
      key.lastUsedAt = now;
    }
    return key;
  }
}
