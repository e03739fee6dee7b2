import { ApiProperty, OmitType } from '@nestjs/swagger';
import { HealthCheckResponseDto } from './health-check.dto';

/** `services` of the Python service's `/health`. */
class LegacyServicesDto {
  @ApiProperty({
    description: 'A RAG upstream is configured (always: Dify, or the embedded one). Whether it answers is `/health/ready`’s to say.',
  })
  rag!: boolean;

  @ApiProperty({ description: 'A web search provider answers: this service has none (always false).' })
  search!: boolean;

  @ApiProperty({ description: 'The batch API is served (always true).' })
  batch_processing!: boolean;
}

/**
 * The liveness body: terminus's fields beside those of the Python service's `/health` across its
 * releases (`status: "healthy"`, `version`, `services`, `providers`, `dify_configured`,
 * `rag_configured`, `batch_processing_enabled`), so a monitor written for it reads what it read.
 */
export class LivenessResponseDto extends OmitType(HealthCheckResponseDto, ['status'] as const) {
  @ApiProperty({
    enum: ['healthy'],
    example: 'healthy',
    description: 'Always `healthy` while the process serves, as the Python service said.',
  })
  status!: 'healthy';

  @ApiProperty({ description: 'The service’s version (package.json).', example: '0.1.0' })
  version!: string;

  @ApiProperty({ type: LegacyServicesDto })
  services!: LegacyServicesDto;

  @ApiProperty({
    description: 'The RAG provider, as the Python service named it (no upstream call is made).',
    example: { rag: { name: 'dify', type: 'dify', status: true } },
  })
  providers!: Record<string, { name: string; type: string; status: boolean }>;

  @ApiProperty({ description: 'A real Dify is configured (DIFY_API_KEY), not the embedded server.' })
  dify_configured!: boolean;

  @ApiProperty({ description: 'A RAG upstream is configured (always true).' })
  rag_configured!: boolean;

  @ApiProperty({ description: 'The batch API is served (always true).' })
  batch_processing_enabled!: boolean;
}

/** The Python service's fields of `/health`, for this instance. */
export function legacyHealth(version: string, embedded: boolean): Omit<LivenessResponseDto, 'info' | 'error' | 'details'> {
  return {
    status: 'healthy',
    version,
    services: { rag: true, search: false, batch_processing: true },
    providers: { rag: { name: embedded ? 'embedded-dify' : 'dify', type: 'dify', status: true } },
    dify_configured: !embedded,
    rag_configured: true,
    batch_processing_enabled: true,
  };
}
