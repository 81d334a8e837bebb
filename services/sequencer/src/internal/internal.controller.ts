import { ConflictException, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Internal } from '@telltale/runtime';
import { SendClaimsService } from './send-claims.service';

/** Service-to-service API (not exposed through the Ingress). */
@Controller('internal/v1')
@Internal('sender')
export class InternalController {
  constructor(private readonly claims: SendClaimsService) {}

  @Post('send-requests/:id/claim')
  @HttpCode(200)
  async claim(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ granted: true }> {
    const result = await this.claims.claim(id);
    if (!result.granted) throw new ConflictException({ granted: false, reason: result.reason });
    return result;
  }
}
