import { ApiProperty } from '@nestjs/swagger';

/** What the demo page needs to know about this server. */
export class DemoConfigDto {
  @ApiProperty({ description: 'The WebSocket endpoint’s path (WS_PATH).', example: '/ws/realtime-asr' })
  wsPath!: string;
}
