import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { appConfig } from '../config';
import { AppSpeech } from './app-speech';
import { DemoSpeechDto } from './demo-speech.dto';

/** Whether the demo page's "Speak answers" can speak, so the page can say why not. */
@ApiTags('demo')
@Controller('demo')
export class DemoSpeechController {
  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly speech: AppSpeech,
  ) {}

  @Get('speech')
  @ApiOperation({
    summary: 'Whether the Dify app speaks its answers',
    description: 'What the demo page at `/` shows beside "Speak answers" (the Dify app’s settings, asked at most once a minute).',
  })
  @ApiOkResponse({ description: 'The demo page is served (DEMO_PAGE=true, the default).', type: DemoSpeechDto })
  @ApiNotFoundResponse({ description: 'DEMO_PAGE=false: no demo page, so nothing to tell it.' })
  async textToSpeech(): Promise<DemoSpeechDto> {
    if (!this.app.demoPage) throw new NotFoundException();
    return { textToSpeech: await this.speech.textToSpeech() };
  }
}
