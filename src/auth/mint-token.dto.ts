import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { APP, SESSION_ID } from './claims';

/** The issue fixes them: tokens for browsers and phones live minutes, an hour at most. */
export const DEFAULT_TTL_SECONDS = 600;
export const MAX_TTL_SECONDS = 3600;

export class MintTokenDto {
  @ApiPropertyOptional({ description: 'The only app the token may use (its `app` claim).', pattern: APP.source, example: 'hr' })
  @IsOptional()
  @IsString()
  @Matches(APP, { message: 'app must be 1–64 letters, digits, _, . or -' })
  app?: string;

  @ApiPropertyOptional({
    description: 'The only session_id its connections may use (its `session_id` claim).',
    minLength: 1,
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @Matches(SESSION_ID, { message: 'session_id must be 1–128 printable characters' })
  session_id?: string;

  @ApiPropertyOptional({ description: 'How long the token is valid.', minimum: 1, maximum: MAX_TTL_SECONDS, default: DEFAULT_TTL_SECONDS })
  @IsOptional()
  @IsInt({ message: 'ttl_seconds must be a whole number of seconds' })
  @Min(1, { message: 'ttl_seconds must be at least 1' })
  @Max(MAX_TTL_SECONDS, { message: `ttl_seconds must be at most ${MAX_TTL_SECONDS}` })
  ttl_seconds?: number;
}

export class MintedTokenDto {
  @ApiProperty({ description: 'An HS256 JSON Web Token: present it as a Bearer token or ?token=.' }) token!: string;
  @ApiProperty({ format: 'date-time', description: 'When it expires (its `exp`).' }) expires_at!: string;
}
