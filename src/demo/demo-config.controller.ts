import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { appConfig } from '../config';

/** Where the demo page finds the WebSocket endpoint (WS_PATH is configurable). */
@Controller('demo')
export class DemoConfigController {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  @Get('config')
  config(): { wsPath: string } {
    if (!this.app.demoPage) throw new NotFoundException();
    return { wsPath: this.app.wsPath };
  }
}
