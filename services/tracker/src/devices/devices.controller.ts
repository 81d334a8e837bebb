import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isIP } from 'node:net';
import { CLOCK, type Clock } from '@telltale/db';
import { CurrentCaller, Members, Public, parseRequest, type Caller } from '@telltale/runtime';
import { Uuid } from '@telltale/contracts';
import type { SigningKeyRing } from '@telltale/tracking';
import { z } from 'zod';
import { deviceSetCookie, readDeviceCookie } from '../hits/device-cookie';
import { TRACKING_KEYS } from '../hits/tracker-tokens';
import { allowedReturnUrl, TRACKER_APP_ORIGINS } from './app-origins';
import { signDeviceRegistrationToken, verifyDeviceRegistrationToken } from './device-registration-token';
import { DevicesService, type DeviceView } from './devices.service';
import { OfficeRangesService, type OfficeRange } from './office-ranges.service';

export const RegistrationRequest = z.object({ userId: Uuid.optional() }).strict();
const Cidr = z.string().refine((v) => {
  const [address = '', prefix = ''] = v.split('/');
  const family = isIP(address);
  return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}, 'must be a CIDR such as 203.0.113.0/24');
export const OfficeRangesRequest = z.object({ ranges: z.array(z.object({ cidr: Cidr, name: z.string().max(100).nullable().default(null) })).max(200) });

function page(res: Response, status: number, text: string): void {
  res.status(status).type('text/plain').set('Cache-Control', 'no-store').send(`${text}\n`);
}

/**
 * Self-view filtering (docs/architecture.md, Product rules): the app (after sign-in) asks for a registration token for the
 * user and opens `/d/register?token=…` on each tracking domain; the browser then carries a device
 * cookie there, and hits with it are the user's own. The REST routes are org-scoped like every
 * other service's: the caller's verified identity; a person manages their own devices, an admin anyone's.
 */
function requireSelfOrAdmin(caller: Caller, userId: string): void {
  if (caller.userId === userId || caller.roles.includes('admin')) return;
  throw new ForbiddenException({ error: 'forbidden', message: "Only an admin manages another person's devices." });
}

@Controller()
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly offices: OfficeRangesService,
    @Inject(TRACKING_KEYS) private readonly keys: SigningKeyRing,
    @Inject(TRACKER_APP_ORIGINS) private readonly appOrigins: readonly string[],
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('v1/device-registrations')
  @Members('devices')
  issue(@CurrentCaller() caller: Caller, @Body() body: unknown): { token: string; registerPath: string; expiresAt: string } {
    const orgId = caller.orgId;
    const requested = parseRequest(RegistrationRequest, body ?? {}).userId?.toLowerCase();
    const userId = requested ?? caller.userId;
    if (!userId) throw new ForbiddenException({ error: 'forbidden', message: 'A device belongs to a person: an API key must name userId.' });
    requireSelfOrAdmin(caller, userId);
    const { token, expiresAt } = signDeviceRegistrationToken({ orgId, userId }, this.keys, this.clock.now());
    return { token, registerPath: `/d/register?token=${token}`, expiresAt: expiresAt.toISOString() };
  }

  @Get('d/register')
  @Public('recipient')
  async register(@Query('token') token: unknown, @Query('return') returnTo: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const verified = verifyDeviceRegistrationToken(typeof token === 'string' ? token : '', this.keys, this.clock.now());
    if (!verified.ok) {
      page(res, 400, 'This device registration link is invalid or has expired. Sign in to Telltale again.');
      return;
    }
    const { orgId, userId } = verified.claims;
    const cookie = await this.devices.register(orgId, userId, readDeviceCookie(req.headers.cookie), req.headers['user-agent'] ?? null);
    if (cookie) res.setHeader('Set-Cookie', deviceSetCookie(cookie, req.secure));
    const target = allowedReturnUrl(returnTo, this.appOrigins);
    if (target) {
      res.status(302).set({ Location: target, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).end();
      return;
    }
    page(res, 200, 'This browser is registered: your own views of your emails will not count as opens.');
  }

  @Get('v1/users/:userId/devices')
  @Members('devices')
  async list(@CurrentCaller() caller: Caller, @Param('userId', new ParseUUIDPipe()) userId: string): Promise<{ devices: DeviceView[] }> {
    requireSelfOrAdmin(caller, userId.toLowerCase());
    return { devices: await this.devices.list(caller.orgId, userId.toLowerCase()) };
  }

  @Delete('v1/users/:userId/devices/:deviceId')
  @Members('devices')
  async revoke(
    @CurrentCaller() caller: Caller,
    @Param('userId', new ParseUUIDPipe()) userId: string,
    @Param('deviceId', new ParseUUIDPipe()) deviceId: string,
  ): Promise<DeviceView> {
    requireSelfOrAdmin(caller, userId.toLowerCase());
    return this.devices.revoke(caller.orgId, userId.toLowerCase(), deviceId.toLowerCase());
  }

  @Get('v1/office-ranges')
  @Members('office-ranges')
  async officeRanges(@CurrentCaller() caller: Caller): Promise<{ ranges: OfficeRange[] }> {
    return { ranges: await this.offices.list(caller.orgId) };
  }

  @Put('v1/office-ranges')
  @Members('office-ranges', 'admin')
  @HttpCode(200)
  async replaceOfficeRanges(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<{ ranges: OfficeRange[] }> {
    const orgId = caller.orgId;
    const { ranges } = parseRequest(OfficeRangesRequest, body);
    return { ranges: await this.offices.replace(orgId, ranges) };
  }
}
