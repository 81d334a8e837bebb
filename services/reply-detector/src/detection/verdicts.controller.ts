import { Controller, Get, Headers, Param, ParseUUIDPipe } from '@nestjs/common';
import { ServiceRuntime, requireOrgId } from '@telltale/runtime';

/** "Why did — or didn't — this enrollment stop?": every verdict about its emails, with evidence. */
@Controller('v1/enrollments')
export class VerdictsController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get(':id/verdicts')
  async verdicts(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<{ enrollmentId: string; verdicts: unknown[] }> {
    const orgId = requireOrgId(org);
    const rows = (await this.runtime.dataSource.query(
      `SELECT id, kind, relation, matched_by, matched_message_id, inbound_message_id, from_address, sent_email_id, reasons, decided_at
       FROM reply_detector.verdict WHERE org_id = $1 AND enrollment_id = $2 ORDER BY decided_at`,
      [orgId, id],
    )) as unknown[];
    return { enrollmentId: id, verdicts: rows };
  }
}
