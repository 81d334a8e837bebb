export {
  isSalesforceConnectionUnavailable,
  SalesforceConnectionUnavailableError,
  type SalesforceUnavailableCode,
} from './salesforce-connection.errors';
export { SalesforceConnections, type SalesforceConnectionsSettings } from './salesforce-connections';
export { SalesforceConnectionStore, type SalesforceConnectionRow, type ConnectionState, type ConnectionFlow } from './salesforce-connection.store';
export { SalesforceConnectService, type SalesforceConnectionView } from './salesforce-connect.service';
export { SalesforceConnectionController } from './salesforce-connection.controller';
export { PREFLIGHT_REQUIREMENTS, runPreflight, type PreflightReport, type PreflightProblem } from './salesforce-preflight';
