import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DifyModule } from '../dify';
import { SessionModule } from '../session';
import { Upstreams } from './upstreams';

@Module({
  // No provider's chat API redirects (see DifyModule: axios then skips its follow-redirects wrapper).
  imports: [HttpModule.register({ maxRedirects: 0 }), DifyModule, SessionModule],
  providers: [Upstreams],
  exports: [Upstreams, DifyModule],
})
export class UpstreamModule {}
