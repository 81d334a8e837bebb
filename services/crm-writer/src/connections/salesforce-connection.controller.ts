import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CurrentCaller, Members, parseRequest, type Caller } from '@telltale/runtime';
import type { PreflightReport } from './salesforce-preflight';
import { JwtConnectRequest, OAuthCallbackQuery, SalesforceConnectService, StartConnectRequest, type SalesforceConnectionView } from './salesforce-connect.service';

/**
 * The organisation's Salesforce connection (issue 14). Every member may see its status; only
 * admins connect, disconnect and run the pre-flight. Always the caller's own organisation.
 */
@Controller('v1/salesforce/connection')
export class SalesforceConnectionController {
  constructor(private readonly connect: SalesforceConnectService) {}

  /** The connection's state (not_connected, connected, needs_reconnect, disconnected), Salesforce org, instance and user, the last error in words an admin can act on, since when, and the last pre-flight report. */
  @Get()
  @Members('organization')
  status(@CurrentCaller() caller: Caller): Promise<SalesforceConnectionView> {
    return this.connect.status(caller.orgId);
  }

  /** Step 1 of the OAuth 2.0 web-server flow (PKCE): where to send the admin's browser, Salesforce's consent page at the production, sandbox or My Domain login host. The state is usable once, for ten minutes. */
  @Post('oauth')
  @Members('organization', 'admin')
  @HttpCode(201)
  start(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    return this.connect.start(caller.orgId, caller.subject, parseRequest(StartConnectRequest, body ?? {}));
  }

  /** Step 2: the web app passes on Salesforce's redirect (?code&state, or ?error when the admin declined). 400 unknown_authorization for a used, unknown or someone else's state; 400 salesforce_authorization_failed when Salesforce refuses the code. */
  @Get('oauth/callback')
  @Members('organization', 'admin')
  async callback(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<SalesforceConnectionView> {
    const parsed = parseRequest(OAuthCallbackQuery, query);
    if ('error' in parsed) {
      throw new BadRequestException({ error: 'salesforce_authorization_denied', message: `Salesforce answered ${parsed.error}; Salesforce is not connected.` });
    }
    return this.connect.complete(caller.orgId, caller.subject, parsed.state, parsed.code);
  }

  /** The JWT bearer alternative: the admin's own connected app (consumer key), the Salesforce username and the private key of the app's certificate (PEM, stored encrypted). The grant is tried before anything is stored. */
  @Post('jwt')
  @Members('organization', 'admin')
  @HttpCode(200)
  jwt(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SalesforceConnectionView> {
    return this.connect.connectJwt(caller.orgId, caller.subject, parseRequest(JwtConnectRequest, body ?? {}));
  }

  /** Forgets the stored credentials (the refresh token is revoked at Salesforce); activities wait until Salesforce is connected again. 404 salesforce_not_connected when there is nothing to disconnect. */
  @Delete()
  @Members('organization', 'admin')
  disconnect(@CurrentCaller() caller: Caller): Promise<SalesforceConnectionView> {
    return this.connect.disconnect(caller.orgId);
  }

  /** Describes the objects Telltale writes as the connected user and reports each missing or hidden field, wrong type, field the user cannot edit and missing picklist value. 409 salesforce_not_connected or salesforce_needs_reconnect. */
  @Post('preflight')
  @Members('organization', 'admin')
  @HttpCode(200)
  preflight(@CurrentCaller() caller: Caller): Promise<PreflightReport> {
    return this.connect.preflight(caller.orgId);
  }
}
