import { Body, Controller, Inject, Logger, Post, Req, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { authConfig } from '../config';
import { DEFAULT_TTL_SECONDS, MintedTokenDto, MintTokenDto } from './mint-token.dto';
import { MintingGuard } from './minting.guard';
import { requestPrincipal } from './request-principal';
import { mintToken } from './token-minter';

/** Short-lived signed tokens for browsers and phones, minted by a backend that holds an AUTH_TOKENS token and no JWT library. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/tokens')
@UseGuards(MintingGuard)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class TokensController {
  private readonly logger = new Logger('Auth');

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  @ApiOperation({
    summary: "Mint a signed token (HS256, AUTH_JWT_SECRET) for the caller's principal, optionally narrowed to one app and one session",
  })
  @ApiCreatedResponse({ type: MintedTokenDto })
  @ApiBadRequestResponse({ description: 'A bad app, session_id or ttl_seconds (1–3600), or an unknown field.' })
  @ApiUnauthorizedResponse({ description: 'No AUTH_TOKENS token (a signed token cannot mint another).' })
  @ApiNotFoundResponse({ description: 'AUTH_JWT_SECRET is not set: this service mints no tokens.' })
  @Post()
  async mint(@Req() request: IncomingMessage, @Body() body: MintTokenDto): Promise<MintedTokenDto> {
    const sub = requestPrincipal(request).id;
    const ttl = body.ttl_seconds ?? DEFAULT_TTL_SECONDS;
    const { jwt } = this.config;
    const { token, expiresAt } = await mintToken(
      { secret: jwt.secret!, audience: jwt.audience, issuer: jwt.issuer },
      { sub, app: body.app, session_id: body.session_id },
      ttl,
    );
    const narrowed = [body.app && `app ${body.app}`, body.session_id && 'one session'].filter(Boolean).join(', ');
    this.logger.log(`Minted a token for principal ${sub}, valid ${ttl} s${narrowed ? `, ${narrowed}` : ''}`);
    return { token, expires_at: expiresAt.toISOString() };
  }
}
