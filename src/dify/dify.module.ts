import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DifySettings } from './dify-settings';
import { DifyAppApi } from './dify-app-api';
import { DifyClient } from './dify-client';

@Module({
  // Dify's Service API never redirects; without redirects axios skips its follow-redirects wrapper,
  // which costs every streamed request time and allocations (npm run bench).
  imports: [HttpModule.register({ maxRedirects: 0 })],
  providers: [DifySettings, DifyClient, DifyAppApi],
  exports: [DifyClient, DifySettings, DifyAppApi],
})
export class DifyModule {}
