import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth';
import { BatchModule } from './batch';
import {
  appConfig,
  appsConfig,
  authConfig,
  batchConfig,
  difyConfig,
  limitsConfig,
  resumeConfig,
  sessionConfig,
  turnConfig,
} from './config';
import { DemoModule } from './demo';
import { DifyEndpointModule } from './dify-endpoint.module';
import { GatewayModule } from './gateway';
import { HealthModule } from './health';
import { LifecycleModule } from './lifecycle';
import { LoggingModule } from './logging';
import { MetricsModule } from './metrics';
import { TracingModule } from './tracing';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      load: [appConfig, appsConfig, authConfig, batchConfig, difyConfig, limitsConfig, resumeConfig, sessionConfig, turnConfig],
    }),
    LoggingModule,
    DifyEndpointModule,
    AuthModule,
    LifecycleModule,
    MetricsModule,
    TracingModule,
    GatewayModule,
    HealthModule,
    DemoModule,
    BatchModule,
  ],
})
export class AppModule {}
