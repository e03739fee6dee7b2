import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { appConfig } from '../config';
import { DemoConfigDto } from './demo-config.dto';

/** Where the demo page finds the WebSocket endpoint (WS_PATH is configurable). */
@ApiTags('demo')
@Controller('demo')
export class DemoConfigController {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  @Get('config')
  @ApiOperation({ summary: 'The demo page’s configuration', description: 'Where the demo page at `/` finds the WebSocket endpoint.' })
  @ApiOkResponse({ description: 'The demo page is served (DEMO_PAGE=true, the default).', type: DemoConfigDto })
  @ApiNotFoundResponse({ description: 'DEMO_PAGE=false: no demo page, so no configuration for it.' })
  config(): DemoConfigDto {
    if (!this.app.demoPage) throw new NotFoundException();
    return { wsPath: this.app.wsPath };
  }
}
