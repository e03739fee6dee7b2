import { Module } from '@nestjs/common';
import { AppRegistry } from './app-registry';

@Module({
  providers: [AppRegistry],
  exports: [AppRegistry],
})
export class TenancyModule {}
