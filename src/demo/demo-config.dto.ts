import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What the demo page needs to know about this server. */
export class DemoConfigDto {
  @ApiProperty({ description: 'The WebSocket endpoint’s path (WS_PATH).', example: '/ws/realtime-asr' })
  wsPath!: string;

  @ApiProperty({
    type: [String],
    description: 'The apps the presented token (Bearer or ?token=) may use, to offer as `?app=`; none without a valid token.',
    example: ['hr', 'it'],
  })
  apps!: string[];

  @ApiPropertyOptional({ description: 'The app a connection with this token gets when it names none.', example: 'hr' })
  defaultApp?: string;
}
