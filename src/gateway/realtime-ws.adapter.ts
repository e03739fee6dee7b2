import { INestApplicationContext, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { Authentication, Principal, requestPrincipal, setRequestPrincipal } from '../auth';
import type { AuthConfig } from '../config';
import { isAllowedOrigin } from './allowed-origin';
import { clientAddress } from './client-address';
import { setUpgradeApp } from './connection-app';
import { ConnectionsPerKey } from './connections-per-key';
import { ParsedFrame, parseFrame } from './parse-frame';
import { UPGRADE_REFUSALS, UpgradeRefusal } from './upgrade-refusals';

export interface RealtimeWsOptions {
  /** The URL path of the WebSocket endpoint (WS_PATH). */
  path: string;
  /** Larger frames close the socket with 1009 (MAX_FRAME_BYTES). */
  maxPayload: number;
  /**
   * Who an upgrade request comes from (the Authenticator), decided once: the principal is carried on
   * the request to the gateway's handleConnection; a refusal is HTTP 401 with its reason, before any socket opens.
   */
  authenticate: (request: IncomingMessage) => Promise<Authentication>;
  /** The app an authenticated upgrade request uses; undefined refuses it with HTTP 403 (unknown or not allowed alike). */
  appOf: (request: IncomingMessage, principal: Principal) => string | undefined;
  /** Browser origins that may open a socket (ALLOWED_ORIGINS); others get HTTP 403. */
  allowedOrigins: AuthConfig['allowedOrigins'];
  /** More open sockets from one address are refused with HTTP 429. */
  maxConnectionsPerIp: number;
  /** More open sockets of one principal are refused with HTTP 429 (per instance). */
  maxConnectionsPerPrincipal: number;
  /** Proxies in front whose X-Forwarded-For is trusted to name the client's address (TRUST_PROXY_HOPS). */
  trustProxyHops: number;
  /** Ping cadence; a socket silent for a whole interval after a ping is dropped as dead. */
  heartbeatIntervalMs: number;
  /** True while shutting down: upgrades are refused with HTTP 503. */
  draining: () => boolean;
  /** Told of each refused upgrade (for the metric); the adapter logs it. */
  upgradeRefused: (reason: UpgradeRefusal) => void;
  /** Handles every parsed frame (InboundDispatch): rate limit, validation, the gateway's handler, the error reply. */
  frame: (socket: WebSocket, frame: ParsedFrame) => void;
}

type VerifyDone = (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void;

/**
 * The `ws` adapter with our frame routing, our configured path and frame limit (which a gateway
 * decorator cannot read from configuration), and authentication of the upgrade request.
 */
export class RealtimeWsAdapter extends WsAdapter {
  private readonly log = new Logger(RealtimeWsAdapter.name);

  constructor(
    app: INestApplicationContext,
    private readonly options: RealtimeWsOptions,
  ) {
    super(app);
  }

  /**
   * Hands each parsed frame to InboundDispatch (the gateway has no @SubscribeMessage handlers: Nest
   * passes none). Nest's version builds an RxJS pipeline per socket and per message; a plain
   * listener halves an idle connection's memory and shortens every message's path (npm run bench).
   * A socket that is closing (condemned for a limit, stopped, shutting down) has its frames dropped
   * unread: what a flooding client sent before it was closed costs nothing.
   */
  override bindMessageHandlers(client: WebSocket, _handlers: MessageMappingProperties[]): void {
    client.on('message', (data: RawData, isBinary: boolean) => {
      if (client.readyState !== WebSocket.OPEN) return;
      // Text frames come as one Buffer (ws's default binaryType), decoded as UTF-8.
      this.options.frame(client, parseFrame(isBinary ? data : (data as Buffer).toString()));
    });
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    const { path, maxPayload, authenticate, appOf, allowedOrigins, trustProxyHops, upgradeRefused } = this.options;
    const addressOf = (req: IncomingMessage) => clientAddress(req, trustProxyHops);
    const perIp = new ConnectionsPerKey(this.options.maxConnectionsPerIp);
    const perPrincipal = new ConnectionsPerKey(this.options.maxConnectionsPerPrincipal);
    /** Why the upgrade is refused (and, for a token, the verdict's words), or undefined to accept it. */
    const refusal = async (req: IncomingMessage, origin?: string): Promise<{ reason: UpgradeRefusal; detail?: string } | undefined> => {
      if (this.options.draining()) return { reason: 'shutting_down' };
      // Before authentication, so a foreign page cannot even tell a good token from a bad one.
      if (!isAllowedOrigin(origin, req, allowedOrigins)) return { reason: 'origin' };
      const authentication = await authenticate(req);
      // Shutdown may have begun while a token's keys were fetched.
      if (this.options.draining()) return { reason: 'shutting_down' };
      if ('refused' in authentication) return { reason: 'unauthorized', detail: authentication.refused };
      setRequestPrincipal(req, authentication.principal);
      const app = appOf(req, authentication.principal);
      if (app === undefined) return { reason: 'unknown_app' };
      setUpgradeApp(req, app);
      return undefined;
    };
    /** The connection caps, checked in the turn the socket opens (upgrades awaiting their tokens together cannot overshoot). */
    const roomFor = (req: IncomingMessage): { reason: UpgradeRefusal; detail?: string } | undefined => {
      if (!perIp.hasRoom(addressOf(req))) return { reason: 'too_many_connections' };
      if (!perPrincipal.hasRoom(requestPrincipal(req).id)) return { reason: 'too_many_principal_connections' };
      return undefined;
    };
    const verifyClient = ({ req, origin }: { req: IncomingMessage; origin?: string }, done: VerifyDone) => {
      const checked = refusal(req, origin).catch((error: unknown) => {
        // A bug in a check must not leave the upgrade hanging: refused, and logged.
        this.log.error(`Upgrade check failed: ${error instanceof Error ? error.message : String(error)}`);
        return { reason: 'unauthorized' as const, detail: 'authentication failed' };
      });
      void checked.then((checkedRefusal) => {
        // In the same turn as done(true) opens the socket: upgrades awaiting their tokens together cannot overshoot the cap.
        const refused = checkedRefusal ?? roomFor(req);
        if (refused === undefined) return done(true);
        const { reason, detail } = refused;
        const { status, message, headers } = UPGRADE_REFUSALS[reason];
        // The endpoint's path, never the request's URL: its query may carry a token. The detail never repeats it.
        this.log.warn(`Upgrade refused: ${reason}${detail ? ` (${detail})` : ''} (HTTP ${status}) from ${addressOf(req)} to ${path}`);
        upgradeRefused(reason);
        done(false, status, detail ? `${message}: ${detail}` : message, headers);
      });
    };
    // One message per event-loop turn, not every frame of a network read at once: a socket that
    // floods cannot hold the loop (other sockets, /health) for a whole read's worth of frames.
    const server = super.create(port, { ...options, path, maxPayload, verifyClient, allowSynchronousEvents: false }) as WebSocketServer;
    server.on('connection', (socket: WebSocket, req: IncomingMessage) => {
      const address = addressOf(req);
      const principal = requestPrincipal(req).id;
      perIp.opened(address);
      perPrincipal.opened(principal);
      socket.on('close', () => {
        perIp.closed(address);
        perPrincipal.closed(principal);
      });
    });
    keepAlive(server, this.options.heartbeatIntervalMs);
    return server;
  }
}

/** Pings every socket each interval and drops those that did not answer the previous ping. */
function keepAlive(server: WebSocketServer, intervalMs: number): void {
  const answered = new WeakSet<WebSocket>();
  // One listener for every socket (`this` is the socket), not a closure per socket.
  function onPong(this: WebSocket) {
    answered.add(this);
  }
  server.on('connection', (socket: WebSocket) => {
    answered.add(socket);
    socket.on('pong', onPong);
  });
  const timer = setInterval(() => {
    for (const socket of server.clients) {
      if (!answered.has(socket)) {
        socket.terminate();
        continue;
      }
      answered.delete(socket);
      socket.ping();
    }
  }, intervalMs).unref();
  server.on('close', () => clearInterval(timer));
}
