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
  async config(@Req() request: IncomingMessage): Promise<DemoConfigDto> {
    if (!this.app.demoPage) throw new NotFoundException();
    const authentication = await this.authenticator.authenticate(request);
    if ('refused' in authentication) return { wsPath: this.app.wsPath, apps: [] };
    const { id, app: pinned } = authentication.principal;
    // A token pinned to an app (its `app` claim) is offered that app alone.
    const apps = this.apps.usableBy(id).filter((app) => pinned === undefined || app === pinned);
    return { wsPath: this.app.wsPath, apps, defaultApp: this.apps.choose(id, pinned, undefined) };
  }
}
