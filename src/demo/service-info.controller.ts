import { Controller, Get, Inject, Next, Req, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { appConfig, packageInfo } from '../config';
import { ServiceInfoDto } from './service-info.dto';

/** The parts of Express's request and response this route uses (the project has no @types/express). */
interface Request {
  accepts(types: string[]): string | false;
}
interface Response {
  vary(field: string): unknown;
  json(body: unknown): unknown;
}

const SERVICE_INFO: ServiceInfoDto = { name: packageInfo.name, version: packageInfo.version, status: 'running' };

/**
 * `GET /` for programs and people alike: a browser (a request that prefers text/html) gets the demo
 * page, which the static files that follow this route serve; anything else (`Accept:
 * application/json`, `*∕*`, no Accept) gets the service's name and version as JSON, as the Python
 * service answered at `/`. With DEMO_PAGE=false every request gets the JSON.
 */
@ApiTags('service')
@ApiExtraModels(ServiceInfoDto)
@Controller()
export class ServiceInfoController {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  @Get()
  @ApiOperation({
    summary: 'The service’s name and version, or the demo page',
    description:
      'A request that prefers `text/html` (a browser) gets the demo page while DEMO_PAGE=true; any other (`Accept: application/json`, `*/*`, none) gets `{name, version, status: "running"}`, as the replaced Python service answered.',
  })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({
    description: 'The JSON, or the demo page’s HTML for a browser.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ServiceInfoDto) } },
      'text/html': { schema: { type: 'string', description: 'The demo page.' } },
    },
  })
  root(@Req() request: Request, @Res() response: Response, @Next() next: () => void): void {
    response.vary('Accept');
    if (this.app.demoPage && request.accepts(['json', 'html']) === 'html') return next();
    response.json(SERVICE_INFO);
  }
}
