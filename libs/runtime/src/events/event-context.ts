import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';

/**
 * What an `@EventPattern` handler gets with `@Ctx()`: the entity manager of the transaction that
 * also records the event as processed. Do the effect and enqueue any outbox rows with it, so the
 * three commit together (or, when the handler throws, none of them does and the event is retried).
 */
export class EventContext extends BaseRpcContext<[EntityManager]> {
  constructor(manager: EntityManager) {
    super([manager]);
  }

  get manager(): EntityManager {
    return this.args[0];
  }
}
