import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig, difyConfig, sessionConfig, turnConfig } from './config';
import { GatewayModule } from './gateway';
import { HealthModule } from './health/health.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig, difyConfig, sessionConfig, turnConfig] }),
    GatewayModule,
    HealthModule,
  ],
})
export class AppModule {}
