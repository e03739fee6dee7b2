import { ApiProperty } from '@nestjs/swagger';

/** What `GET /` tells a program (the Python service's answer at `/`). */
export class ServiceInfoDto {
  @ApiProperty({ description: 'The service’s name (package.json).', example: 'realtime-rag' })
  name!: string;

  @ApiProperty({ description: 'The service’s version (package.json).', example: '0.1.0' })
  version!: string;

  @ApiProperty({ enum: ['running'], description: 'Always `running` while the process serves.' })
  status!: 'running';
}
