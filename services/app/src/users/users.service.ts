import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '@telltale/db';
import { ROLES, ServiceRuntime, type Role } from '@telltale/runtime';
import { z } from 'zod';
import { User, toUserView, type UserStatus, type UserView } from './user.entity';

export const InviteRequest = z.object({ email: z.email().max(320).transform((e) => e.toLowerCase()), role: z.enum(ROLES).default('rep'), name: z.string().trim().max(200).optional() }).strict();
export const UpdateUserRequest = z
  .object({ role: z.enum(ROLES).optional(), status: z.enum(['active', 'disabled']).optional() })
  .strict()
  .refine((r) => r.role !== undefined || r.status !== undefined, 'role or status is required');

@Injectable()
export class UsersService {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.runtime.dataSource.getRepository(User);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  findInOrg(orgId: string, id: string): Promise<User | null> {
    return this.repo.findOneBy({ orgId, id });
  }

  async get(orgId: string, id: string): Promise<User> {
    const user = await this.findInOrg(orgId, id);
    if (!user) throw new NotFoundException({ error: 'user_not_found', message: 'No such user in your organisation.' });
    return user;
  }

  async list(orgId: string): Promise<UserView[]> {
    return (await this.repo.find({ where: { orgId }, order: { createdAt: 'ASC' }, take: 5000 })).map(toUserView);
  }

  /** An invitation: the person becomes active on their first sign-in with this address. */
  async invite(orgId: string, request: z.output<typeof InviteRequest>): Promise<UserView> {
    const existing = await this.findByEmail(request.email);
    if (existing) throw new ConflictException({ error: 'user_exists', message: existing.orgId === orgId ? 'This person is already a member or invited.' : 'This address belongs to another organisation.' });
    return toUserView(await this.add(orgId, request.email, request.role, 'invited', request.name ?? null));
  }

  async add(orgId: string, email: string, role: Role, status: UserStatus, name: string | null): Promise<User> {
    const user = this.repo.create({ id: randomUUID(), orgId, email: email.toLowerCase(), name, role, status, createdAt: this.clock.now(), lastSignInAt: null });
    await this.repo.insert(user);
    return user;
  }

  async update(user: User, changes: { role?: Role; status?: UserStatus }): Promise<User> {
    Object.assign(user, changes);
    await this.repo.update({ id: user.id }, changes);
    return user;
  }

  async signedIn(user: User, name: string | null): Promise<void> {
    const changes = { lastSignInAt: this.clock.now(), status: 'active' as const, ...(name && !user.name ? { name: name.slice(0, 200) } : {}) };
    await this.repo.update({ id: user.id }, changes);
    Object.assign(user, changes);
  }
}
