import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Req } from '@nestjs/common';
import { CurrentCaller, Members, parseRequest, type Caller } from '@telltale/runtime';
import { ApiKeysService, CreateApiKeyRequest, type ApiKeyView } from '../api-keys/api-keys.service';
import { IdentityProviderRequest, OrganizationsService, UpdateOrganizationRequest, type OrganizationView } from '../organizations/organizations.service';
import type { AppRequest } from '../sessions/app-authenticator';
import { SessionsService, type SessionView } from '../sessions/sessions.service';
import { toUserView, type UserView } from './user.entity';
import { InviteRequest, UpdateUserRequest, UsersService } from './users.service';

/** People, keys and settings are changed by people: an API key cannot mint keys or manage users. */
function requirePerson(caller: Caller): string {
  if (caller.kind !== 'user' || !caller.userId) throw new ForbiddenException({ error: 'person_required', message: 'Only a signed-in person can do this, not an API key.' });
  return caller.userId;
}

@Controller('api/v1')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly organizations: OrganizationsService,
  ) {}

  /** Who is signed in, their organisation, and the CSRF token the browser app sends back. */
  @Get('me')
  @Members('users')
  async me(@CurrentCaller() caller: Caller, @Req() req: AppRequest): Promise<{ user: UserView | null; apiKey: string | null; organization: OrganizationView; csrfToken: string | null }> {
    const organization = await this.organizations.view(caller.orgId);
    const user = caller.userId ? toUserView(await this.users.get(caller.orgId, caller.userId)) : null;
    return { user, apiKey: caller.kind === 'api_key' ? caller.subject.slice('api_key:'.length) : null, organization, csrfToken: req.session?.csrfToken ?? null };
  }
}

@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  @Get()
  @Members('users', 'admin', 'manager')
  async list(@CurrentCaller() caller: Caller): Promise<{ users: UserView[] }> {
    return { users: await this.users.list(caller.orgId) };
  }

  @Post('invitations')
  @HttpCode(201)
  @Members('users', 'admin')
  invite(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<UserView> {
    requirePerson(caller);
    return this.users.invite(caller.orgId, parseRequest(InviteRequest, body));
  }

  /** Role or status; disabling ends every session of the person at once, so does a role change. */
  @Patch(':id')
  @Members('users', 'admin')
  async update(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<UserView> {
    const self = requirePerson(caller);
    const changes = parseRequest(UpdateUserRequest, body);
    const user = await this.users.get(caller.orgId, id.toLowerCase());
    if (user.id === self && (changes.status === 'disabled' || (changes.role && changes.role !== 'admin'))) {
      throw new ForbiddenException({ error: 'cannot_demote_self', message: 'Ask another admin to change your own role or disable you.' });
    }
    const updated = await this.users.update(user, changes);
    await this.sessions.revokeAllOf(user.id);
    return toUserView(updated);
  }

  @Delete(':id/sessions')
  @Members('sessions', 'admin')
  async revokeSessions(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<{ revoked: number }> {
    requirePerson(caller);
    const user = await this.users.get(caller.orgId, id.toLowerCase());
    return { revoked: await this.sessions.revokeAllOf(user.id) };
  }
}

@Controller('api/v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @Members('sessions')
  async list(@CurrentCaller() caller: Caller, @Req() req: AppRequest): Promise<{ sessions: SessionView[] }> {
    return { sessions: await this.sessions.listLive(requirePerson(caller), req.session?.id ?? null) };
  }

  @Delete(':id')
  @Members('sessions')
  async revoke(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<{ revoked: true }> {
    await this.sessions.revokeOwn(requirePerson(caller), id.toLowerCase());
    return { revoked: true };
  }
}

@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Members('api-keys', 'admin')
  async list(@CurrentCaller() caller: Caller): Promise<{ apiKeys: ApiKeyView[] }> {
    return { apiKeys: await this.apiKeys.list(caller.orgId) };
  }

  /** The key itself is in this answer only: store it now. */
  @Post()
  @HttpCode(201)
  @Members('api-keys', 'admin')
  create(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<ApiKeyView & { key: string }> {
    requirePerson(caller);
    return this.apiKeys.create(caller, parseRequest(CreateApiKeyRequest, body));
  }

  @Delete(':id')
  @Members('api-keys', 'admin')
  revoke(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeyView> {
    requirePerson(caller);
    return this.apiKeys.revoke(caller.orgId, id.toLowerCase());
  }
}

@Controller('api/v1/organization')
export class OrganizationController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @Members('organization')
  view(@CurrentCaller() caller: Caller): Promise<OrganizationView> {
    return this.organizations.view(caller.orgId);
  }

  @Patch()
  @Members('organization', 'admin')
  async update(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<OrganizationView> {
    requirePerson(caller);
    await this.organizations.upsert(caller.orgId, parseRequest(UpdateOrganizationRequest, body));
    return this.organizations.view(caller.orgId);
  }

  /** The organisation's OpenID provider; the client secret is stored encrypted and never shown again. */
  @Put('identity-provider')
  @Members('organization', 'admin')
  async setProvider(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<OrganizationView> {
    requirePerson(caller);
    await this.organizations.setProvider(caller.orgId, parseRequest(IdentityProviderRequest, body));
    return this.organizations.view(caller.orgId);
  }
}
