export { startGraphTestServer, type GraphTestServer } from './graph-test-server';
export { createTestCertificates, type TestCertificates } from './test-certificate-authority';
