import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { DifyConnection } from './dify-connection';
import { DifyClient } from './dify.client';

@Module({
  imports: [HttpModule],
  providers: [DifyConnection, DifyClient],
  exports: [DifyClient, DifyConnection],
})
export class DifyModule {}
