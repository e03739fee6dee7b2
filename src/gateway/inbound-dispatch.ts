import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { inTraceContextOf } from '../tracing';
import { ProtocolErrorFilter } from './protocol-error.filter';
import { INVALID_FRAME, ParsedFrame } from './parse-frame';
import { RateLimit } from './rate-limit';
import { RealtimeGateway } from './realtime.gateway';
import { validateInbound } from './inbound-validator';

/**
 * Every inbound frame's way to the gateway: the connection's rate limit, then the one validation
 * against the contract (inbound-validator.ts), then the gateway's handler for its type; any error
 * on the way becomes the client's `error` message (ProtocolErrorFilter). Plain calls, not Nest's
 * per-message chain of guard, pipe and filter promises: partial ASR chunks, 5–20 a second per
 * speaker, are the most frequent message there is (npm run bench).
 */
@Injectable()
export class InboundDispatch {
  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly rateLimit: RateLimit,
    private readonly errors: ProtocolErrorFilter,
  ) {}

  handle(socket: WebSocket, frame: ParsedFrame): void {
    // What the frame starts (an answer, a resume) belongs to the connection's trace.
    inTraceContextOf(socket, () => this.dispatch(socket, frame));
  }

  private dispatch(socket: WebSocket, frame: ParsedFrame): void {
    try {
      this.rateLimit.admit(socket);
      if (frame.event === INVALID_FRAME) throw frame.data;
      const message = validateInbound(frame.event, frame.data);
      switch (message.type) {
        case 'asr_chunk':
          return this.gateway.onAsrChunk(socket, message);
        case 'control':
          return this.gateway.onControl(socket, message);
        case 'keepalive':
          return this.gateway.onKeepalive(socket, message);
        case 'hello':
          return this.gateway.onHello(socket, message);
        case 'feedback':
          return this.gateway.onFeedback(socket, message);
        case 'resume':
          return this.gateway.onResume(socket, message);
      }
    } catch (error) {
      this.errors.reply(socket, error);
    }
  }
}
