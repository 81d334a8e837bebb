import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CurrentCaller, Members, type Caller } from '@telltale/runtime';
import { EnrollmentsService, type EnrollmentExplanationView, type EnrollmentView } from './enrollments.service';

@Controller('v1/enrollments')
@Members('enrollments')
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.enrollments.get(caller.orgId, id);
  }

  /** "Why did (or didn't) this enrollment stop?" in one sentence, with every detected reply and what it did. */
  @Get(':id/explain')
  explain(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentExplanationView> {
    return this.enrollments.explain(caller.orgId, id);
  }

  @Post(':id/stop')
  @HttpCode(200)
  stop(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.enrollments.stopManually(caller.orgId, id);
  }
}
