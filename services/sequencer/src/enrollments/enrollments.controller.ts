import { Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CurrentCaller, Members, ownsOrOversees, type Caller } from '@telltale/runtime';
import { EnrollmentsService, type EnrollmentExplanationView, type EnrollmentView } from './enrollments.service';

@Controller('v1/enrollments')
@Members('enrollments')
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.visible(caller, id);
  }

  /** "Why did (or didn't) this enrollment stop?" in one sentence, with every detected reply and what it did. */
  @Get(':id/explain')
  async explain(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentExplanationView> {
    await this.visible(caller, id);
    return this.enrollments.explain(caller.orgId, id);
  }

  @Post(':id/stop')
  @HttpCode(200)
  async stop(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    await this.visible(caller, id);
    return this.enrollments.stopManually(caller.orgId, id);
  }

  /** A rep sees the prospects they enrolled; managers, admins and API keys the organisation's. */
  private async visible(caller: Caller, id: string): Promise<EnrollmentView> {
    const enrollment = await this.enrollments.get(caller.orgId, id);
    if (!ownsOrOversees(caller, enrollment.ownerUserId)) throw new NotFoundException({ error: 'enrollment_not_found' });
    return enrollment;
  }
}
