import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CurrentCaller, Members, ownsOrOversees, parseRequest, type Caller } from '@telltale/runtime';
import { EnrollRequest, EnrollmentsService, type EnrollmentView } from '../enrollments/enrollments.service';
import type { Sequence } from './sequence.entity';
import { CreateSequenceRequest, SequencesService, toSequenceView, type SequenceView } from './sequences.service';

@Controller('v1/sequences')
@Members('sequences')
export class SequencesController {
  constructor(
    private readonly sequences: SequencesService,
    private readonly enrollments: EnrollmentsService,
  ) {}

  @Post()
  async create(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SequenceView> {
    const orgId = caller.orgId;
    return toSequenceView(await this.sequences.create(orgId, parseRequest(CreateSequenceRequest, body), caller.userId));
  }

  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<SequenceView> {
    return toSequenceView(await this.visible(caller, id));
  }

  @Post(':id/enrollments')
  async enroll(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<EnrollmentView> {
    const request = parseRequest(EnrollRequest, body);
    await this.visible(caller, id);
    const enrollment = await this.enrollments.enroll(caller.orgId, id, request);
    await this.enrollments.assignOwner(enrollment.id, caller.userId);
    return { ...enrollment, ownerUserId: enrollment.ownerUserId ?? caller.userId };
  }

  /** A rep works with the sequences they made; managers, admins and API keys with the organisation's. */
  private async visible(caller: Caller, id: string): Promise<Sequence> {
    const sequence = await this.sequences.get(caller.orgId, id);
    if (!ownsOrOversees(caller, sequence.ownerUserId)) throw new NotFoundException({ error: 'sequence_not_found' });
    return sequence;
  }
}
