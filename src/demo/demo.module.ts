import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ServeStaticModule } from '@nestjs/serve-static';
import { join } from 'node:path';
import { appConfig } from '../config';
import { DemoConfigController } from './demo-config.controller';

/** The repository's public/ folder, from src/demo (ts-node) or dist/demo (build) alike. */
export const DEMO_DIR = join(__dirname, '..', '..', 'public');

/**
 * The demo page at `/` (static files, no build step) and the little it needs to know about this
 * server. Other paths fall through to the API, so unknown ones stay 404. DEMO_PAGE=false serves
 * nothing (decided when the app starts, from its validated configuration).
 */
@Module({
  imports: [
    ServeStaticModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) =>
        app.demoPage ? [{ rootPath: DEMO_DIR, renderPath: '/', serveStaticOptions: { fallthrough: true } }] : [],
    }),
  ],
  controllers: [DemoConfigController],
})
export class DemoModule {}
