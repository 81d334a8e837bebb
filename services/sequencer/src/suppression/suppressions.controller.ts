import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CurrentCaller, Members, parseRequest, type Caller, type Page } from '@telltale/runtime';
import { AddSuppressionRequest, LiftSuppressionRequest, ListSuppressionsQuery, SuppressionList, type SuppressionView } from './suppression-list';

/**
 * The organisation's suppression list: managers and admins see it and add to it by hand; only an
 * admin lifts an entry. Every query is scoped to the caller's organisation (another's id is a 404).
 */
@Controller('v1/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionList) {}

  /** `?state=live|lifted|all&reason=&q=&cursor=&limit=` → `{ items: SuppressionView[], nextCursor }`, newest first. */
  @Get()
  @Members('enrollments', 'admin', 'manager')
  list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<Page<SuppressionView>> {
    return this.suppressions.list(caller.orgId, parseRequest(ListSuppressionsQuery, query));
  }

  /** Adds an address by hand, with an optional note: 201 the entry (409 already_suppressed); the prospect's live enrollments stop. */
  @Post()
  @Members('enrollments', 'admin', 'manager')
  add(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SuppressionView> {
    return this.suppressions.addManually(caller.orgId, parseRequest(AddSuppressionRequest, body), caller.userId);
  }

  /** `{ reason }` → the lifted entry (404 suppression_not_found, 409 already_lifted); the address may be enrolled again. */
  @Post(':id/lift')
  @HttpCode(200)
  @Members('enrollments', 'admin')
  lift(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<SuppressionView> {
    const { reason } = parseRequest(LiftSuppressionRequest, body);
    return this.suppressions.lift(caller.orgId, id, reason, caller.userId);
  }
}
