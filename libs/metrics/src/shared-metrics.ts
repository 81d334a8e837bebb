import type { Counter, Registry } from 'prom-client';
import { counter } from './metrics-registry';

/**
 * Mail provider errors by their MailProviderError code, counted where a service decides what to do
 * with one (sender: a send; mailbox-sync: a sync or an OAuth refresh). Labels are bounded: the
 * provider (gmail, graph, imap, smtp), the code (AUTH_REVOKED, RATE_LIMITED, ...) and the operation.
 */
export function mailProviderErrors(registry: Registry): Counter<'provider' | 'code' | 'operation'> {
  return counter(registry, {
    name: 'telltale_mail_provider_errors_total',
    help: 'Mail provider calls that failed, by provider, MailProviderError code and operation (send, sync).',
    labelNames: ['provider', 'code', 'operation'],
  });
}
