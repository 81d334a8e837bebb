export {
  isSalesforceConnectionUnavailable,
  SalesforceConnectionUnavailableError,
  type SalesforceUnavailableCode,
} from './salesforce-connection.errors';
export { SalesforceConnections, type SalesforceConnectionsSettings } from './salesforce-connections';
export { SalesforceConnectionStore, type SalesforceConnectionRow, type ConnectionState, type ConnectionFlow } from './salesforce-connection.store';
