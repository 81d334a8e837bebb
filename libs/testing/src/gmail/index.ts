export { startGmailTestServer, type GmailTestServer, type GmailTestServerOptions } from './gmail-test-server';
