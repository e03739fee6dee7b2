import { INestApplicationContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WsAdapter } from '@nestjs/platform-ws';
import { parseFrame } from './parse-frame';

export interface RealtimeWsOptions {
  /** The URL path of the WebSocket endpoint (WS_PATH). */
  path: string;
  /** Larger frames close the socket with 1009 (MAX_FRAME_BYTES). */
  maxPayload: number;
  /** Who an upgrade request comes from; undefined refuses it with HTTP 401 before any socket opens. */
  authenticate: (request: IncomingMessage) => string | undefined;
}

type VerifyDone = (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void;

/**
 * The `ws` adapter with our frame routing, our configured path and frame limit (which a gateway
 * decorator cannot read from configuration), and authentication of the upgrade request.
 */
export class RealtimeWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly options: RealtimeWsOptions,
  ) {
    super(app, { messageParser: (data) => parseFrame(data) });
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    const { path, maxPayload, authenticate } = this.options;
    const verifyClient = ({ req }: { req: IncomingMessage }, done: VerifyDone) =>
      authenticate(req) === undefined ? done(false, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' }) : done(true);
    return super.create(port, { ...options, path, maxPayload, verifyClient });
  }
}
