import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK } from '@telltale/db';
import { HealthController } from './health.controller';
import { ServiceRuntime } from './service-runtime';

/** Makes the service runtime, its clock and the health endpoints available to a service module. */
@Global()
@Module({})
export class RuntimeModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: RuntimeModule,
      controllers: [HealthController],
      providers: [
        { provide: ServiceRuntime, useValue: runtime },
        { provide: CLOCK, useValue: runtime.clock },
      ],
      exports: [ServiceRuntime, CLOCK],
    };
  }
}
