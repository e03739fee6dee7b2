import { Controller, Get, Inject, NotFoundException, Req } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { Authenticator } from '../auth';
import { appConfig } from '../config';
import { AppRegistry } from '../tenancy';
import { DemoConfigDto } from './demo-config.dto';

/** Where the demo page finds the WebSocket endpoint (WS_PATH is configurable), and which apps it may offer. */
@ApiTags('demo')
@Controller('demo')
export class DemoConfigController {
  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly authenticator: Authenticator,
    private readonly apps: AppRegistry,
  ) {}

  @Get('config')
  @ApiOperation({
    summary: 'The demo page’s configuration',
    description: 'Where the demo page at `/` finds the WebSocket endpoint, and the apps the presented token may use.',
  })
  @ApiOkResponse({ description: 'The demo page is served (DEMO_PAGE=true, the default).', type: DemoConfigDto })
  @ApiNotFoundResponse({ description: 'DEMO_PAGE=false: no demo page, so no configuration for it.' })
  config(@Req() request: IncomingMessage): DemoConfigDto {
    if (!this.app.demoPage) throw new NotFoundException();
    const principal = this.authenticator.authenticate(request);
    if (principal === undefined) return { wsPath: this.app.wsPath, apps: [] };
    // A token pinned to an app (its `app` claim, src/auth's Principal) will offer that app alone.
    return { wsPath: this.app.wsPath, apps: this.apps.usableBy(principal), defaultApp: this.apps.choose(principal, undefined, undefined) };
  }
}
