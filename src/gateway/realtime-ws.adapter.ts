import { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { parseFrame } from './parse-frame';

export interface RealtimeWsOptions {
  /** The URL path of the WebSocket endpoint (WS_PATH). */
  path: string;
  /** Larger frames close the socket with 1009 (MAX_FRAME_BYTES). */
  maxPayload: number;
}

/**
 * The `ws` adapter with our frame routing and our configured path and frame limit, which a
 * gateway decorator cannot read from configuration.
 */
export class RealtimeWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly options: RealtimeWsOptions,
  ) {
    super(app, { messageParser: (data) => parseFrame(data) });
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    return super.create(port, { ...options, path: this.options.path, maxPayload: this.options.maxPayload });
  }
}
