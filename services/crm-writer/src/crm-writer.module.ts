import { Module, type DynamicModule } from '@nestjs/common';
import { CredentialCipher, RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { activityWriting } from './activities/activity-writing.providers';
import { SalesforceConnectService } from './connections/salesforce-connect.service';
import { SalesforceConnectionController } from './connections/salesforce-connection.controller';
import { SalesforceConnectionStore } from './connections/salesforce-connection.store';
import { SalesforceConnections } from './connections/salesforce-connections';
import type { CrmWriterConfig } from './crm-writer.config';
import { cacheConnection, createJsforceConnection } from './salesforce/jsforce-connection.factory';

@Module({})
export class CrmWriterModule {
  static forRuntime(runtime: ServiceRuntime, config: CrmWriterConfig): DynamicModule {
    const { connections, connect } = salesforceConnections(runtime, config);
    const writing = activityWriting(runtime, config, connections);
    return {
      module: CrmWriterModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [...writing.controllers, SalesforceConnectionController],
      providers: [
        { provide: SalesforceConnections, useValue: connections },
        { provide: SalesforceConnectService, useValue: connect },
        ...writing.providers,
      ],
    };
  }
}

/** Each organisation's own connection; the env-configured integration user as the deprecated fallback. */
function salesforceConnections(runtime: ServiceRuntime, config: CrmWriterConfig): { connections: SalesforceConnections; connect: SalesforceConnectService } {
  const { SALESFORCE_USERNAME: username, SALESFORCE_PASSWORD: password } = config;
  const shared =
    username && password
      ? cacheConnection(() =>
          createJsforceConnection({
            loginUrl: config.SALESFORCE_LOGIN_URL,
            clientId: config.SALESFORCE_CLIENT_ID,
            clientSecret: config.SALESFORCE_CLIENT_SECRET,
            username,
            password,
          }),
        )
      : null;
  const cipher = config.CREDENTIALS_ENCRYPTION_KEYS ? new CredentialCipher(config.CREDENTIALS_ENCRYPTION_KEYS) : null;
  const store = new SalesforceConnectionStore(runtime, cipher, runtime.clock);
  const app = { clientId: config.SALESFORCE_CLIENT_ID, clientSecret: config.SALESFORCE_CLIENT_SECRET, redirectUri: config.SALESFORCE_REDIRECT_URI };
  const hosts = { production: config.SALESFORCE_PRODUCTION_LOGIN_URL, sandbox: config.SALESFORCE_SANDBOX_LOGIN_URL };
  const connections = new SalesforceConnections(store, { app, hosts, deprecatedSharedConnection: shared }, runtime.logger, runtime.clock);
  const connect = new SalesforceConnectService(runtime, store, connections, cipher, { app, hosts, deprecatedFallback: shared !== null }, runtime.clock);
  return { connections, connect };
}
