import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressRanges, compileHitSignatures, classifyHit, loadHitSignatures, type CloudRangesFile, type HitFacts, type HitSignatureFile } from '../src';

// Signature data for the table: documentation address blocks (RFC 5737, RFC 3849), so the rules
// are tested independently of the shipped data file, which gets updated.
const file: HitSignatureFile = {
  version: 'test',
  userAgents: [
    { label: 'link_preview', name: 'Slack link unfurl', pattern: 'Slackbot' },
    { label: 'mail_proxy', name: 'Gmail image proxy', pattern: 'GoogleImageProxy' },
    { label: 'security_scanner', name: 'Mimecast', pattern: 'Mimecast' },
  ],
  ipRanges: [
    { label: 'privacy_prefetch', name: 'Apple', cidrs: ['192.0.2.0/24'] },
    { label: 'security_scanner', name: 'Proofpoint', cidrs: ['198.51.100.0/24', '2001:db8:1::/48'] },
    { label: 'mail_proxy', name: 'Yahoo proxy', cidrs: ['203.0.113.128/25'] },
  ],
  privacyPrefetch: { appleGenericUserAgent: '^Mozilla/5\\.0$' },
  timing: { linkBurstWindowSeconds: 2, linkBurstMinOtherLinks: 1, clickBeforeOpenScannerSeconds: 120 },
};
// Cloud ranges as `npm run signatures:refresh` writes them (benchmarking and documentation blocks).
const cloud: CloudRangesFile = {
  format: 1,
  generatedAt: '2026-12-01T00:00:00.000Z',
  sources: [{ provider: 'AWS', source: 'ip-ranges.json', publishedAt: '2026-11-30T08:00:00.000Z', prefixes: 2 }],
  ranges: [
    { provider: 'AWS', region: 'us-east-1', cidrs: ['198.18.0.0/16', '2001:db8:c10::/48'] },
    { provider: 'Azure', region: 'westeurope', cidrs: ['198.19.0.0/17'] },
  ],
};
const signatures = compileHitSignatures(file, cloud);
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const office = AddressRanges.compile(['203.0.113.0/26'], 'test');

const base: HitFacts = {
  type: 'opened',
  method: 'GET',
  userAgent: CHROME,
  ip: '203.0.113.70',
  secondsSinceSend: 3600,
  selfDeviceUserId: null,
  officeRanges: null,
  openSeenBefore: false,
  otherLinksInBurst: 0,
};

const table: { name: string; facts: Partial<HitFacts>; label: string; confidence: number; reason: RegExp }[] = [
  { name: 'a browser an hour after send', facts: {}, label: 'human', confidence: 0.7, reason: /no machine signature/ },
  { name: 'no user agent', facts: { userAgent: null }, label: 'human', confidence: 0.3, reason: /no user agent/ },
  { name: 'registered device of the sending org', facts: { selfDeviceUserId: 'u1', userAgent: 'Mimecast' }, label: 'self', confidence: 1, reason: /registered device/ },
  { name: 'office range', facts: { officeRanges: office, ip: '203.0.113.10' }, label: 'internal', confidence: 0.95, reason: /office ranges/ },
  { name: 'office range given but IP outside', facts: { officeRanges: office, ip: '203.0.113.100' }, label: 'human', confidence: 0.7, reason: /no machine/ },
  { name: 'HEAD on a link', facts: { type: 'clicked', method: 'HEAD', openSeenBefore: true }, label: 'security_scanner', confidence: 0.9, reason: /HEAD/ },
  { name: 'Slack unfurl', facts: { type: 'clicked', userAgent: 'Slackbot-LinkExpanding 1.0', openSeenBefore: true }, label: 'link_preview', confidence: 0.95, reason: /Slack link unfurl/ },
  { name: 'Gmail image proxy', facts: { userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' }, label: 'mail_proxy', confidence: 0.95, reason: /Gmail image proxy/ },
  { name: 'scanner user agent', facts: { userAgent: 'Mimecast-URL-Protect/1.0' }, label: 'security_scanner', confidence: 0.95, reason: /Mimecast/ },
  { name: 'scanner IP range (v4)', facts: { ip: '198.51.100.7', secondsSinceSend: 4 }, label: 'security_scanner', confidence: 0.85, reason: /Proofpoint/ },
  { name: 'scanner IP range (v6)', facts: { ip: '2001:db8:1::42' }, label: 'security_scanner', confidence: 0.85, reason: /Proofpoint/ },
  { name: 'scanner IP range (v4-mapped v6)', facts: { ip: '::ffff:198.51.100.7' }, label: 'security_scanner', confidence: 0.85, reason: /Proofpoint/ },
  { name: 'mail proxy IP range', facts: { ip: '203.0.113.129' }, label: 'mail_proxy', confidence: 0.85, reason: /Yahoo proxy/ },
  { name: 'Apple MPP: Apple range and bare user agent', facts: { ip: '192.0.2.9', userAgent: 'Mozilla/5.0', secondsSinceSend: 5 }, label: 'privacy_prefetch', confidence: 0.85, reason: /Apple/ },
  { name: 'a real browser on Apple network is not MPP', facts: { ip: '192.0.2.9' }, label: 'human', confidence: 0.7, reason: /no machine/ },
  { name: 'Apple MPP by user agent alone', facts: { userAgent: 'Mozilla/5.0' }, label: 'privacy_prefetch', confidence: 0.6, reason: /Mozilla\/5\.0/ },
  { name: 'click from a cloud address (v4)', facts: { type: 'clicked', ip: '198.18.7.7', openSeenBefore: true }, label: 'security_scanner', confidence: 0.75, reason: /^cloud address \(AWS us-east-1\)$/ },
  { name: 'click from a cloud address (v6)', facts: { type: 'clicked', ip: '2001:db8:c10::9', openSeenBefore: true }, label: 'security_scanner', confidence: 0.75, reason: /^cloud address \(AWS us-east-1\)$/ },
  { name: 'click from a cloud address (v4-mapped v6)', facts: { type: 'clicked', ip: '::ffff:198.19.1.1', openSeenBefore: true }, label: 'security_scanner', confidence: 0.75, reason: /^cloud address \(Azure westeurope\)$/ },
  { name: 'click just outside the cloud ranges', facts: { type: 'clicked', ip: '198.19.128.1', openSeenBefore: true }, label: 'human', confidence: 0.7, reason: /no machine/ },
  { name: 'an open from a cloud address (mail apps proxy images from there) is left alone', facts: { ip: '198.18.7.7' }, label: 'human', confidence: 0.7, reason: /no machine/ },
  { name: 'a named scanner range beats the cloud range', facts: { type: 'clicked', ip: '198.51.100.7', openSeenBefore: true }, label: 'security_scanner', confidence: 0.85, reason: /Proofpoint/ },
  { name: 'link burst', facts: { type: 'clicked', otherLinksInBurst: 2, openSeenBefore: true }, label: 'security_scanner', confidence: 0.85, reason: /link burst: 3 links/ },
  { name: 'click before any open, soon after send', facts: { type: 'clicked', secondsSinceSend: 8 }, label: 'security_scanner', confidence: 0.7, reason: /click before any open/ },
  { name: 'click before any open, long after send (images blocked)', facts: { type: 'clicked', secondsSinceSend: 7200 }, label: 'human', confidence: 0.7, reason: /no machine/ },
  { name: 'click after an open', facts: { type: 'clicked', secondsSinceSend: 8, openSeenBefore: true }, label: 'human', confidence: 0.7, reason: /no machine/ },
];

for (const row of table) {
  test(`classification: ${row.name} → ${row.label}`, () => {
    const result = classifyHit({ ...base, ...row.facts }, signatures);
    assert.equal(result.label, row.label);
    assert.equal(result.confidence, row.confidence);
    assert.ok(result.reasons.some((r) => row.reason.test(r)), `reasons ${JSON.stringify(result.reasons)} match ${row.reason}`);
    assert.ok(result.reasons.every((r) => r.length <= 200));
  });
}

test('machine reasons say how long after the send the hit came', () => {
  const result = classifyHit({ ...base, ip: '198.51.100.7', secondsSinceSend: 4.4 }, signatures);
  assert.ok(result.reasons.includes('4 s after send'));
});

test('the shipped signature file loads and recognises the well-known machines', () => {
  const shipped = loadHitSignatures();
  assert.equal(classifyHit({ ...base, userAgent: 'Mozilla/5.0 (via ggpht.com GoogleImageProxy)' }, shipped).label, 'mail_proxy');
  assert.equal(classifyHit({ ...base, ip: '17.58.1.2', userAgent: 'Mozilla/5.0' }, shipped).label, 'privacy_prefetch');
  assert.equal(classifyHit({ ...base, type: 'clicked', userAgent: 'LinkedInBot/1.0', openSeenBefore: true }, shipped).label, 'link_preview');
  assert.equal(classifyHit({ ...base, ip: '40.107.22.1' }, shipped).label, 'security_scanner');
  assert.equal(classifyHit({ ...base, userAgent: 'python-requests/2.32' }, shipped).label, 'security_scanner');
  // Headless and automation clients: the verdict names which.
  const headless: [string, RegExp][] = [
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36', /headless browser \(HeadlessChrome/],
    ['Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1', /headless browser \(PhantomJS/],
    ['Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/24.0.0', /headless browser \(PhantomJS, SlimerJS, HtmlUnit, jsdom/],
    ['curl/8.5.0', /scripted HTTP client/],
    ['Go-http-client/2.0', /scripted HTTP client/],
    ['python-httpx/0.27.0', /scripted HTTP client/],
    ['Apache-HttpClient/4.5.14 (Java/17.0.9)', /scripted HTTP client/],
    ['node', /scripted HTTP client/],
  ];
  for (const [userAgent, reason] of headless) {
    const verdict = classifyHit({ ...base, type: 'clicked', userAgent, openSeenBefore: true }, shipped);
    assert.equal(verdict.label, 'security_scanner', userAgent);
    assert.match(verdict.reasons[0]!, reason, userAgent);
  }
  // Browsers whose user agents merely look similar stay human.
  for (const userAgent of [CHROME, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15', 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0']) {
    assert.equal(classifyHit({ ...base, type: 'clicked', userAgent, openSeenBefore: true }, shipped).label, 'human', userAgent);
  }
  assert.equal(classifyHit(base, shipped).label, 'human');
});

test('a bad signature file stops start-up naming the field', () => {
  assert.throws(() => AddressRanges.compile(['10.0.0.0/33'], 'ipRanges[0]'), /ipRanges\[0\].*10\.0\.0\.0\/33/);
  assert.throws(() => loadHitSignatures('/nonexistent/signatures.json'), /hit signatures \/nonexistent/);
  assert.throws(() => compileHitSignatures({ ...file, userAgents: [{ label: 'link_preview', name: 'bad', pattern: '(' }] }), /userAgents\[0\] \(bad\): invalid pattern/);
});
