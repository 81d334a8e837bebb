export { startGraphTestServer, type GraphTestServer, type GraphTestServerOptions } from './graph-test-server';
export { createTestCertificates, type TestCertificates } from './test-certificate-authority';
