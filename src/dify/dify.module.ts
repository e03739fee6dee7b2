import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DifyConnection } from './dify-connection';
import { DifyAppApi } from './dify-app-api';
import { DifyClient } from './dify-client';

@Module({
  // Dify's Service API never redirects; without redirects axios skips its follow-redirects wrapper,
  // which costs every streamed request time and allocations (npm run bench).
  imports: [HttpModule.register({ maxRedirects: 0 })],
  providers: [DifyConnection, DifyClient, DifyAppApi],
  exports: [DifyClient, DifyConnection, DifyAppApi],
})
export class DifyModule {}
