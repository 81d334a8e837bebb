import { InternalCallError, internalRequest } from './internal-http';

export type SendClaim = { granted: true } | { granted: false; reason: string };

/** Asks the sequencer, which owns enrollment state, whether this step may still be sent. */
export class SequencerClaimClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async claim(sendRequestId: string): Promise<SendClaim> {
    const { status, body } = await internalRequest(`${this.baseUrl}/internal/v1/send-requests/${sendRequestId}/claim`, { method: 'POST', token: this.token });
    if (status === 200) return { granted: true };
    if (status === 409) return { granted: false, reason: String((body as { reason?: unknown } | null)?.reason ?? 'refused') };
    throw new InternalCallError(`sequencer answered ${status} to a send claim`, status);
  }
}
