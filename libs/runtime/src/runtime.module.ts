import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { CallerGuard } from './identity/caller.guard';
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
        // Every route of every service proves who calls it (docs/architecture.md, Identity and tenancy).
        { provide: APP_GUARD, useFactory: (reflector: Reflector) => new CallerGuard(reflector, runtime.callerGuard), inject: [Reflector] },
      ],
      exports: [ServiceRuntime, CLOCK],
    };
  }
}
