import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '@telltale/contracts';
import { isSpecialPurposeAddress, MailHostAllowlistSetting, MailHostPolicy, MailHostRefused } from '../src/mailboxes/mailbox-host-policy';

const none = { names: [], cidrs: [] };
/** A resolver answering from a table, as DNS would (a test stands in for DNS, which it cannot control). */
const table = (answers: Record<string, string[]>) => async (host: string) => {
  const found = answers[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address }));
};

async function refusal(policy: MailHostPolicy, host: string): Promise<MailHostRefused> {
  try {
    await policy.resolve(host);
  } catch (err) {
    assert.ok(err instanceof MailHostRefused, String(err));
    return err;
  }
  assert.fail(`${host} was not refused`);
}

test('loopback, private, link-local, CGNAT, unspecified, ULA, IPv4-mapped and NAT64 forms of them are special-purpose; public addresses are not', () => {
  for (const address of [
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '100.127.255.255', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '198.18.0.1', '192.0.2.10',
    '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'fec0::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1',
    '64:ff9b::a00:1', '64:ff9b::7f00:1', '64:ff9b:1::1', '2001:db8::1', '2002:a00:1::1', '2001:0:4136::1',
  ]) {
    assert.equal(isSpecialPurposeAddress(parseAddress(address)!), true, address);
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2a00:1450:4001::1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    assert.equal(isSpecialPurposeAddress(parseAddress(address)!), false, address);
  }
});

test('a name is refused when any of its addresses is special-purpose, and the connection goes to the checked address with the name for TLS', async () => {
  const policy = new MailHostPolicy(none, 1_000, table({ 'imap.mixed.example': ['203.0.113.250', '8.8.4.4'], 'imap.good.example': ['8.8.4.4', '2001:4860:4860::8844'], 'imap.inside.example': ['8.8.8.8', '10.0.0.5'] }));
  assert.deepEqual(await policy.resolve('imap.good.example'), { host: '8.8.4.4', servername: 'imap.good.example' });
  assert.deepEqual(await policy.resolve('IMAP.Good.Example.'), { host: '8.8.4.4', servername: 'imap.good.example' });
  const inside = await refusal(policy, 'imap.inside.example');
  assert.equal(inside.problem, 'not_allowed');
  assert.match(inside.message, /imap\.inside\.example resolves to 10\.0\.0\.5/);
  assert.equal((await refusal(policy, 'imap.mixed.example')).problem, 'not_allowed');
  assert.deepEqual(await policy.resolve('8.8.8.8'), { host: '8.8.8.8' }, 'an address is its own answer, with no name for TLS');
  assert.deepEqual(await policy.resolve('[2001:4860:4860::8888]'), { host: '2001:4860:4860::8888' });
  for (const literal of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '[fd12::1]', '100.64.1.1', '0.0.0.0']) {
    assert.equal((await refusal(policy, literal)).problem, 'not_allowed', literal);
  }
});

test('each connection resolves again: a name that turns private after the check (DNS rebinding) is refused then', async () => {
  let answers = ['8.8.8.8'];
  const policy = new MailHostPolicy(none, 1_000, async () => answers.map((address) => ({ address })));
  assert.deepEqual(await policy.resolve('smtp.rebind.example'), { host: '8.8.8.8', servername: 'smtp.rebind.example' });
  answers = ['127.0.0.1'];
  assert.equal((await refusal(policy, 'smtp.rebind.example')).problem, 'not_allowed');
});

test('the operator allow-list: names (whatever they resolve to) and CIDRs or addresses', async () => {
  const allowlist = MailHostAllowlistSetting.parse('mail.corp.internal, 10.20.0.0/16,127.0.0.1 , fd00::25');
  assert.deepEqual(allowlist, { names: ['mail.corp.internal'], cidrs: ['10.20.0.0/16', '127.0.0.1/32', 'fd00::25/128'] });
  const policy = new MailHostPolicy(allowlist, 1_000, table({ 'mail.corp.internal': ['10.9.9.9'], 'mx.branch.example': ['10.20.3.4'], 'mx.other.example': ['10.21.0.1'] }));
  assert.deepEqual(await policy.resolve('mail.corp.internal'), { host: '10.9.9.9', servername: 'mail.corp.internal' });
  assert.deepEqual(await policy.resolve('mx.branch.example'), { host: '10.20.3.4', servername: 'mx.branch.example' });
  assert.deepEqual(await policy.resolve('127.0.0.1'), { host: '127.0.0.1' });
  assert.deepEqual(await policy.resolve('[fd00::25]'), { host: 'fd00::25' });
  assert.equal((await refusal(policy, 'mx.other.example')).problem, 'not_allowed');
  assert.equal((await refusal(policy, '127.0.0.2')).problem, 'not_allowed');
  assert.deepEqual(MailHostAllowlistSetting.parse(undefined), { names: [], cidrs: [] });
  for (const bad of ['10.0.0.0/33', 'not a host', 'mail_server.example', '*.corp.internal']) {
    const parsed = MailHostAllowlistSetting.safeParse(bad);
    assert.equal(parsed.success, false, bad);
    assert.match(parsed.error!.issues[0]!.message, /is neither a host name, an address nor a CIDR/);
  }
});

test('a name that does not resolve, or not in time, is not_found within the timeout', async () => {
  const policy = new MailHostPolicy(none, 200, async (host) => {
    if (host === 'slow.example') return new Promise(() => undefined);
    if (host === 'empty.example') return [];
    throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  });
  const started = Date.now();
  const slow = await refusal(policy, 'slow.example');
  assert.equal(slow.problem, 'not_found');
  assert.match(slow.message, /within 200 ms/);
  assert.ok(Date.now() - started < 1_000);
  assert.match((await refusal(policy, 'nowhere.example')).message, /could not be resolved \(ENOTFOUND\)/);
  assert.equal((await refusal(policy, 'empty.example')).problem, 'not_found');
});
