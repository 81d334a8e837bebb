import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CurrentCaller, Members, ownsOrOversees, parseRequest, ServiceRuntime, type Caller, type Page } from '@telltale/runtime';
import { EnrollRequest, EnrollmentsService, type EnrollmentView } from '../enrollments/enrollments.service';
import type { Sequence } from './sequence.entity';
import { BatchEnrollRequest, type BatchEnrollResponse } from '../enrollments/enrollment-batch';
import { ListSequencesQuery, listSequences, type SequenceSummary } from './sequence-list';
import { VariantResultsQuery, variantResults, type VariantResults } from './step-variants';
import { CreateSequenceRequest, SequencesService, UpdateSequenceRequest, toSequenceView, type SequenceView } from './sequences.service';

@Controller('v1/sequences')
@Members('sequences')
export class SequencesController {
  constructor(
    private readonly sequences: SequencesService,
    private readonly enrollments: EnrollmentsService,
    private readonly runtime: ServiceRuntime,
  ) {}

  /** `?sort=newest|name&q=&cursor=&limit=` → `{ items: SequenceSummary[], nextCursor }`. */
  @Get()
  list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<Page<SequenceSummary>> {
    return listSequences(this.runtime.dataSource, caller, parseRequest(ListSequencesQuery, query));
  }

  @Post()
  async create(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SequenceView> {
    const orgId = caller.orgId;
    return toSequenceView(await this.sequences.create(orgId, parseRequest(CreateSequenceRequest, body), caller.userId));
  }

  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<SequenceView> {
    return toSequenceView(await this.visible(caller, id));
  }

  /** Edits name, tracking, the company rule or the steps (409 steps_in_use: see UpdateSequenceRequest). */
  @Patch(':id')
  async update(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<SequenceView> {
    const request = parseRequest(UpdateSequenceRequest, body);
    await this.visible(caller, id);
    return toSequenceView(await this.sequences.update(caller.orgId, id, request));
  }

  /** A/B results per variant of each step with variants (`?step=N`: that step): sent, human replies, the sent emails' ids. */
  @Get(':id/variants')
  async variants(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Query() query: unknown): Promise<VariantResults> {
    const { step } = parseRequest(VariantResultsQuery, query);
    await this.visible(caller, id);
    return variantResults(this.runtime.dataSource, caller.orgId, id, step);
  }

  /** Up to 1 000 prospects at once, each row answered on its own (created, duplicate, error). */
  @Post(':id/enrollments/batch')
  @HttpCode(200)
  async enrollBatch(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<BatchEnrollResponse> {
    const request = parseRequest(BatchEnrollRequest, body);
    await this.visible(caller, id);
    return this.enrollments.enrollBatch(caller.orgId, id, request, caller.userId);
  }

  @Post(':id/enrollments')
  async enroll(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<EnrollmentView> {
    const request = parseRequest(EnrollRequest, body);
    await this.visible(caller, id);
    return this.enrollments.enroll(caller.orgId, id, request, caller.userId);
  }

  /** A rep works with the sequences they made; managers, admins and API keys with the organisation's. */
  private async visible(caller: Caller, id: string): Promise<Sequence> {
    const sequence = await this.sequences.get(caller.orgId, id);
    if (!ownsOrOversees(caller, sequence.ownerUserId)) throw new NotFoundException({ error: 'sequence_not_found' });
    return sequence;
  }
}
