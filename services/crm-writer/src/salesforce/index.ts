export {
  ACTIVITY_KEY_PATTERN,
  InvalidActivityError,
  parseTaskActivity,
  taskActivitySchema,
  type LoggedTask,
  type SalesforceCredentials,
  type TaskActivity,
  type WhoMatch,
} from './salesforce-activity.types';
export { SalesforceActivityGateway } from './salesforce-activity.gateway';
export {
  cacheConnection,
  createJsforceConnection,
  DEFAULT_API_VERSION,
  DEFAULT_RELOGIN_COOLDOWN_MS,
  type JsforceConnectionOptions,
} from './jsforce-connection.factory';
export {
  CONCURRENCY_LIMIT_RETRY_MS,
  DAILY_LIMIT_RETRY_MS,
  mapSalesforceError,
  type MappedSalesforceError,
  type SalesforceErrorCode,
} from './salesforce-error.mapper';
export { ACTIVITY_KEY_FIELD, buildTaskRecord, TASK_FIELDS, truncate } from './task-fields.mapper';
export { soqlStringLiteral } from './soql-literal';
