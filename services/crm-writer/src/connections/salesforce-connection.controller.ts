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

  @Get()
  @Members('organization')
  status(@CurrentCaller() caller: Caller): Promise<SalesforceConnectionView> {
    return this.connect.status(caller.orgId);
  }

  /** Step 1 of the web-server flow: where to send the admin's browser (Salesforce's consent page). */
  @Post('oauth')
  @Members('organization', 'admin')
  @HttpCode(201)
  start(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    return this.connect.start(caller.orgId, caller.subject, parseRequest(StartConnectRequest, body ?? {}));
  }

  /** Step 2: the web app passes on Salesforce's redirect (?code&state, or ?error when the admin declined). */
  @Get('oauth/callback')
  @Members('organization', 'admin')
  async callback(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<SalesforceConnectionView> {
    const parsed = parseRequest(OAuthCallbackQuery, query);
    if ('error' in parsed) {
      throw new BadRequestException({ error: 'salesforce_authorization_denied', message: `Salesforce answered ${parsed.error}; Salesforce is not connected.` });
    }
    return this.connect.complete(caller.orgId, caller.subject, parsed.state, parsed.code);
  }

  /** The JWT bearer alternative: the admin's connected app, its user and the certificate's private key. */
  @Post('jwt')
  @Members('organization', 'admin')
  @HttpCode(200)
  jwt(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SalesforceConnectionView> {
    return this.connect.connectJwt(caller.orgId, caller.subject, parseRequest(JwtConnectRequest, body ?? {}));
  }

  @Delete()
  @Members('organization', 'admin')
  disconnect(@CurrentCaller() caller: Caller): Promise<SalesforceConnectionView> {
    return this.connect.disconnect(caller.orgId);
  }

  @Post('preflight')
  @Members('organization', 'admin')
  @HttpCode(200)
  preflight(@CurrentCaller() caller: Caller): Promise<PreflightReport> {
    return this.connect.preflight(caller.orgId);
  }
}
