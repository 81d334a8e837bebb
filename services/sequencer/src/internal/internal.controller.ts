import { Controller, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, ConflictException } from '@nestjs/common';
import { requireInternalToken } from '@telltale/runtime';
import { SEQUENCER_SETTINGS, type SequencerSettings } from '../sequencer-settings';
import { SendClaimsService } from './send-claims.service';

/** Service-to-service API (not exposed through the Ingress). */
@Controller('internal/v1')
export class InternalController {
  constructor(
    private readonly claims: SendClaimsService,
    @Inject(SEQUENCER_SETTINGS) private readonly settings: SequencerSettings,
  ) {}

  @Post('send-requests/:id/claim')
  @HttpCode(200)
  async claim(@Param('id', new ParseUUIDPipe()) id: string, @Headers('authorization') auth: string | undefined): Promise<{ granted: true }> {
    requireInternalToken(auth, this.settings.internalApiToken);
    const result = await this.claims.claim(id);
    if (!result.granted) throw new ConflictException({ granted: false, reason: result.reason });
    return result;
  }
}
