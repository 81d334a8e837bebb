import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { Public } from './identity/access.decorators';
import { ServiceRuntime } from './service-runtime';

@Controller('health')
@Public('health')
export class HealthController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; outboxBacklog: number }> {
    if (!this.runtime.isReady()) throw new HttpException({ status: 'starting' }, HttpStatus.SERVICE_UNAVAILABLE);
    try {
      return { status: 'ok', outboxBacklog: await this.runtime.relay.backlog() };
    } catch {
      throw new HttpException({ status: 'database unavailable' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
