import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentCaller, Members, ownsOrOversees, parseRequest, ServiceRuntime, type Caller, type Page } from '@telltale/runtime';
import { ListEnrollmentsQuery, listEnrollments, type EnrollmentSummary } from './enrollment-list';
import { EnrollmentsService, type EnrollmentExplanationView, type EnrollmentView } from './enrollments.service';
import { PreviewStepQuery, previewStep, type StepPreview } from './step-preview';

/** `POST /v1/enrollments/:id/pause`: `until` absent or null pauses until resumed. */
export const PauseRequest = z.object({ until: z.iso.datetime({ offset: true }).nullable().optional() }).strict();

@Controller('v1/enrollments')
@Members('enrollments')
export class EnrollmentsController {
  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly runtime: ServiceRuntime,
  ) {}

  /** `?sequenceId=&state=&q=&cursor=&limit=` → `{ items: EnrollmentSummary[], nextCursor }`, newest first. */
  @Get()
  list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<Page<EnrollmentSummary>> {
    return listEnrollments(this.runtime.dataSource, caller, parseRequest(ListEnrollmentsQuery, query));
  }

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

  /** `?step=N` (default: the next step) rendered for this prospect now (templates and variables), or what stops it being sent. */
  @Get(':id/preview')
  async preview(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Query() query: unknown): Promise<StepPreview> {
    const { step } = parseRequest(PreviewStepQuery, query);
    const enrollment = await this.visible(caller, id);
    return previewStep(this.runtime.dataSource, caller.orgId, id, step ?? enrollment.nextStepNumber);
  }

  @Post(':id/stop')
  @HttpCode(200)
  async stop(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    await this.visible(caller, id);
    return this.enrollments.stopManually(caller.orgId, id);
  }

  /** Pauses by hand: `{ until?: ISO date-time }`, absent or null meaning until resumed (409 enrollment_ended). */
  @Post(':id/pause')
  @HttpCode(200)
  async pause(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<EnrollmentView> {
    const { until } = parseRequest(PauseRequest, body ?? {});
    await this.visible(caller, id);
    return this.enrollments.pauseManually(caller.orgId, id, until ? new Date(until) : null);
  }

  /** Resumes now, whatever paused it; the step that was due gets its full delay from now (409 enrollment_ended). */
  @Post(':id/resume')
  @HttpCode(200)
  async resume(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    await this.visible(caller, id);
    return this.enrollments.resumeManually(caller.orgId, id);
  }

  /** A rep sees the prospects they enrolled; managers, admins and API keys the organisation's. */
  private async visible(caller: Caller, id: string): Promise<EnrollmentView> {
    const enrollment = await this.enrollments.get(caller.orgId, id);
    if (!ownsOrOversees(caller, enrollment.ownerUserId)) throw new NotFoundException({ error: 'enrollment_not_found' });
    return enrollment;
  }
}
