import { Module } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth';
import { appConfig, authConfig, difyConfig, limitsConfig, sessionConfig, turnConfig } from './config';
import { DemoModule } from './demo';
import { GatewayModule } from './gateway';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle';
import { LoggingModule } from './logging';
import { MetricsModule } from './metrics';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig, authConfig, difyConfig, limitsConfig, sessionConfig, turnConfig] }),
    LoggingModule,
    AuthModule,
    LifecycleModule,
    MetricsModule,
    GatewayModule,
    HealthModule,
    // Validated with the app's other settings (DEMO_PAGE in app.config.ts).
    ConditionalModule.registerWhen(DemoModule, (env) => env.DEMO_PAGE !== 'false'),
  ],
})
export class AppModule {}
