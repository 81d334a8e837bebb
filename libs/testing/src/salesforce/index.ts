export {
  startSalesforceSandbox,
  DEFAULT_SANDBOX_USER,
  crmWriterSandboxEnv,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
  type InterceptedResponse,
} from './salesforce.fake-server';
export type { SandboxUser } from './salesforce-oauth';
export type { SandboxClock } from './salesforce-record-store';
export { toCanonicalId, idChecksum } from './salesforce-id';
export { parseSoql, type SoqlQuery, type SoqlCondition, type SoqlLiteral } from './soql-parser';
export { FieldSecurity, type FieldAccess } from './field-security';
export { ApiAllowance, DEFAULT_DAILY_API_ALLOCATION } from './api-allowance';
