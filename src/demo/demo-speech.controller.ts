import { Controller, Get, Inject, NotFoundException, Query } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppsConfig, appConfig, appsConfig } from '../config';
import { AppSpeech } from './app-speech';
import { DemoSpeechDto } from './demo-speech.dto';

/** Whether the demo page's "Speak answers" can speak, so the page can say why not. */
@ApiTags('demo')
@Controller('demo')
export class DemoSpeechController {
  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly speech: AppSpeech,
    @Inject(appsConfig.KEY) private readonly apps: Pick<AppsConfig, 'defaultApp'>,
  ) {}

  @Get('speech')
  @ApiOperation({
    summary: 'Whether the Dify app speaks its answers',
    description: 'What the demo page at `/` shows beside "Speak answers" (the Dify app’s settings, asked at most once a minute).',
  })
  @ApiOkResponse({ description: 'The demo page is served (DEMO_PAGE=true, the default).', type: DemoSpeechDto })
  @ApiNotFoundResponse({ description: 'DEMO_PAGE=false: no demo page, so nothing to tell it.' })
  @ApiQuery({
    name: 'app',
    required: false,
    description: 'The app asked about (DEFAULT_APP without it); `unknown` for one that is not in APPS.',
  })
  async textToSpeech(@Query('app') app?: string): Promise<DemoSpeechDto> {
    if (!this.app.demoPage) throw new NotFoundException();
    return { textToSpeech: await this.speech.textToSpeech(typeof app === 'string' && app ? app : this.apps.defaultApp) };
  }
}
