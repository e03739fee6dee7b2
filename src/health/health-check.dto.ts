import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Each indicator's state by its key (`dify`, `sessions`, `shutdown`), with the details it adds (`embedded`, `store`, `reason`). */
const INDICATORS: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] }, reason: { type: 'string', description: 'Why it is down.' } },
  },
};

/** The body of `/health` and `/health/ready`, as @nestjs/terminus writes it (`HealthCheckResult`). */
export class HealthCheckResponseDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status!: 'ok' | 'error' | 'shutting_down';

  @ApiPropertyOptional({ ...INDICATORS, description: 'The indicators that are up.', example: { dify: { status: 'up', embedded: false } } })
  info?: Record<string, { status: 'up' | 'down' }>;

  @ApiPropertyOptional({ ...INDICATORS, description: 'The indicators that are down.', example: {} })
  error?: Record<string, { status: 'up' | 'down' }>;

  @ApiPropertyOptional({ ...INDICATORS, description: 'Every indicator, up or down.', example: { dify: { status: 'up', embedded: false } } })
  details?: Record<string, { status: 'up' | 'down' }>;
}
