import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Metrics } from './metrics';

/** The content type of Prometheus's text exposition format. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /** Prometheus scrape endpoint. */
  @Get()
  @Header('Content-Type', PROMETHEUS_TEXT)
  @ApiOperation({
    summary: 'Prometheus metrics',
    description: 'The scrape endpoint: the `realtime_rag_*` metrics and Node’s process metrics, in the Prometheus text format.',
  })
  @ApiProduces(PROMETHEUS_TEXT)
  @ApiOkResponse({
    description: 'Every metric, in the Prometheus text exposition format 0.0.4.',
    content: {
      [PROMETHEUS_TEXT]: {
        schema: { type: 'string' },
        example:
          '# HELP realtime_rag_connections Open WebSocket connections\n# TYPE realtime_rag_connections gauge\nrealtime_rag_connections 0\n',
      },
    },
  })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
