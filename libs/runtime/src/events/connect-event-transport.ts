import { Catch, type INestApplication, type RpcExceptionFilter } from '@nestjs/common';
import { NestMicroservice, type CustomStrategy } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { ServiceRuntime } from '../service-runtime';
import { KafkaEventTransport } from './kafka-event-transport';

/**
 * Hands a handler's error to the transport as it was thrown. Nest's default would log it with its
 * stack and replace it with "Internal server error"; the consumer logs the failure itself, retries
 * and puts the real message in the dead letter's `dlq-error`.
 */
@Catch()
export class HandlerErrorsToTransport implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Connects the Kafka event transport to the HTTP app (a hybrid application); `startAllMicroservices`
 * starts it. Its own configuration, not the app's: HTTP's global guards and pipes do not apply to
 * events. The handlers are registered when it starts, with the filter above, and the modules' init
 * hooks, which the HTTP app already ran, do not run again.
 */
export function connectEventTransport(app: INestApplication, runtime: ServiceRuntime): KafkaEventTransport {
  const transport = new KafkaEventTransport(runtime);
  const microservice = app.connectMicroservice<CustomStrategy>({ strategy: transport }, { deferInitialization: true });
  (microservice as NestMicroservice).setIsInitHookCalled(true);
  microservice.useGlobalFilters(new HandlerErrorsToTransport());
  return transport;
}
