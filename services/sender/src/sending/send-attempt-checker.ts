import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { SendAttempts } from './send-attempts';
import { SEND_RECOVERY_SETTINGS, type SendRecoverySettings } from './send-recovery-settings';
import { SendEmailUseCase } from './send-email.use-case';

/** Intents settled per pass at most; the rest wait for the next pass. */
const PER_PASS = 20;

/**
 * Comes back to sends whose outcome is unknown: those whose check a consumer scheduled (the
 * provider did not answer, or the grace period was not over), and those nobody came back for.
 * Every `checkEveryMs`, each due intent is settled in a transaction of its own, as a redelivered
 * request would be (SendEmailUseCase.checkAttempt), so every sender replica may run it.
 */
@Injectable()
export class SendAttemptChecker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly attempts: SendAttempts,
    private readonly sendEmail: SendEmailUseCase,
    @Inject(SEND_RECOVERY_SETTINGS) private readonly settings: SendRecoverySettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pass(), this.settings.checkEveryMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over what is due; a pass still running is not doubled. */
  pass(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.settleDue().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async settleDue(): Promise<void> {
    const now = this.clock.now();
    let due;
    try {
      due = await this.attempts.due(now, new Date(now.getTime() - this.settings.orphanAfterMs), PER_PASS);
    } catch (err) {
      this.runtime.logger.warn({ err: (err as Error).message }, 'send checks: could not read what is due');
      return;
    }
    for (const attempt of due) {
      if (this.stopped) return;
      try {
        await this.runtime.transaction((m) => this.sendEmail.checkAttempt(attempt, m));
      } catch (err) {
        // Left as it is: due again on the next pass.
        this.runtime.logger.warn({ org_id: attempt.request.orgId, send_request_id: attempt.send_request_id, err: (err as Error).message }, 'send check failed');
      }
    }
  }
}
