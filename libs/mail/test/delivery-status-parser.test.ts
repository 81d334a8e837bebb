import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseDeliveryStatus } from '../src';

describe('parseDeliveryStatus (RFC 3464)', () => {
  it('reads one entry per recipient block and skips the per-message block', () => {
    const body = [
      'Reporting-MTA: dns; mx.example.net',
      'Arrival-Date: Fri, 17 Jan 2025 10:15:31 +0000',
      '',
      'Final-Recipient: rfc822; A@Example.com',
      'Action: Failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user',
      '    unknown',
      '',
      'Original-Recipient: rfc822;b@example.com',
      'Action: delayed',
      'Status: 4.4.7 (delivery time expired)',
      '',
    ].join('\r\n');
    assert.deepEqual(parseDeliveryStatus(body), [
      { action: 'failed', status: '5.1.1', finalRecipient: 'a@example.com', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
      { action: 'delayed', status: '4.4.7', finalRecipient: 'b@example.com', diagnosticCode: null },
    ]);
  });

  it('finds the recipient when the MTA left out the blank line after the per-message block', () => {
    const body = 'Reporting-MTA: dns; mx\nFinal-Recipient: rfc822; c@example.com\nAction: failed\nStatus: 5.0.0\n';
    assert.deepEqual(parseDeliveryStatus(body), [{ action: 'failed', status: '5.0.0', finalRecipient: 'c@example.com', diagnosticCode: null }]);
  });

  it('keeps non-rfc822 address types as written and odd status text as is', () => {
    const body = 'Reporting-MTA: dns; mx\n\nFinal-Recipient: X400; /C=US/O=Encom/\nAction: failed\nStatus: failed permanently\n';
    assert.deepEqual(parseDeliveryStatus(body), [
      { action: 'failed', status: 'failed permanently', finalRecipient: '/C=US/O=Encom/', diagnosticCode: null },
    ]);
  });

  it('returns nothing for text without recipient fields', () => {
    assert.deepEqual(parseDeliveryStatus('Reporting-MTA: dns; mx\n'), []);
    assert.deepEqual(parseDeliveryStatus(''), []);
  });
});
