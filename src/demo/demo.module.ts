import { Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appConfig } from '../config';
import { DifyModule } from '../dify';
import { TenancyModule } from '../tenancy';
import { AppSpeech } from './app-speech';
import { DemoConfigController } from './demo-config.controller';
import { DemoSpeechController } from './demo-speech.controller';
import { ServiceInfoController } from './service-info.controller';

/** The repository's public/ folder, from src/demo (ts-node) or dist/demo (build) alike. */
export const DEMO_DIR = join(__dirname, '..', '..', 'public');

/** The client library compiled for browsers (npm run build:client), which the demo page imports from /client/. */
export const CLIENT_DIR = join(__dirname, '..', '..', 'client', 'dist');

/**
 * The demo page at `/` for browsers (static files, no build step of its own; other requests to `/`
 * get the service's name and version as JSON: ServiceInfoController), the client library it loads at
 * `/client/`, and the little it needs to know about this server and its Dify app (whether it speaks).
 * Other paths fall through to the API, so unknown ones stay 404. DEMO_PAGE=false serves no file (decided when the app starts, from its
 * validated configuration).
 */
@Module({
  imports: [
    ServeStaticModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => {
        if (!app.demoPage) return [];
        if (!existsSync(join(CLIENT_DIR, 'realtime-rag-client.js'))) {
          new Logger('DemoModule').warn(`The demo page's client library is not built (${CLIENT_DIR}): run npm run build:client`);
        }
        return [
          { rootPath: DEMO_DIR, renderPath: '/', serveStaticOptions: { fallthrough: true } },
          { rootPath: CLIENT_DIR, serveRoot: '/client', serveStaticOptions: { fallthrough: true } },
        ];
      },
    }),
    DifyModule,
    TenancyModule,
  ],
  controllers: [ServiceInfoController, DemoConfigController, DemoSpeechController],
  providers: [AppSpeech],
})
export class DemoModule {}
