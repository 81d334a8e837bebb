import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { mailboxConnectionChangedTopic, type MailboxConnectionChanged } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { MailboxDirectory } from './mailbox-directory';

/** Keeps MailboxDirectory, in a consumer group of its own so a new mailbox is never behind other topics' events. */
@Controller()
export class MailboxDirectoryConsumer {
  constructor(private readonly directory: MailboxDirectory) {}

  @EventPattern(mailboxConnectionChangedTopic.name, { consumer: 'mailboxes' })
  onConnectionChanged(@Payload() event: ConsumedEvent<MailboxConnectionChanged>, @Ctx() context: EventContext): Promise<void> {
    return this.directory.record(context.manager, event.payload);
  }
}
