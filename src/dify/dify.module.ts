import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DifyApps } from './dify-apps';

@Module({
  // Dify's Service API never redirects; without redirects axios skips its follow-redirects wrapper,
  // which costs every streamed request time and allocations (npm run bench).
  imports: [HttpModule.register({ maxRedirects: 0 })],
  providers: [DifyApps],
  exports: [DifyApps],
})
export class DifyModule {}
