import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { CrmEventsConsumer } from './activities/crm-events.consumer';
import { LogActivityUseCase } from './activities/log-activity.use-case';
import type { CrmWriterConfig } from './crm-writer.config';
import { cacheConnection, createJsforceConnection } from './salesforce/jsforce-connection.factory';
import { SalesforceActivityGateway } from './salesforce/salesforce-activity.gateway';

@Module({})
export class CrmWriterModule {
  static forRuntime(runtime: ServiceRuntime, config: CrmWriterConfig): DynamicModule {
    const credentials = {
      loginUrl: config.SALESFORCE_LOGIN_URL,
      clientId: config.SALESFORCE_CLIENT_ID,
      clientSecret: config.SALESFORCE_CLIENT_SECRET,
      username: config.SALESFORCE_USERNAME,
      password: config.SALESFORCE_PASSWORD,
    };
    return {
      module: CrmWriterModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [CrmEventsConsumer],
      providers: [
        { provide: SalesforceActivityGateway, useValue: new SalesforceActivityGateway(cacheConnection(() => createJsforceConnection(credentials)), runtime.metrics) },
        LogActivityUseCase,
      ],
    };
  }
}
