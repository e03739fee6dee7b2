import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig } from '../config';
import { ShutdownState } from './shutdown-state';

/**
 * The phases of a shutdown, in order:
 * - drain: stop taking work (readiness 503, upgrades and batch items refused); answers in flight may finish;
 * - hand over: what still streams is handed over to other instances or stopped, and the clients closed;
 * - flush: what is owed upstream is sent (Dify's stop calls, the answer log's last writes);
 * - close: the connections (Redis, queues, the embedded Dify), once Nest has closed the HTTP server.
 */
export type ShutdownPhase = 'drain' | 'hand over' | 'flush' | 'close';

/** After the grace, how long clients may take to read what is left and close; then Nest cuts them off. */
const CLIENTS_CLOSE_WAIT_MS = 2000;
/** How long Dify's stop calls and the answer log's last writes may take before the process goes on. */
const FLUSH_WAIT_MS = 2000;

interface Step {
  name: string;
  run: () => unknown;
}

/**
 * The one shutdown: the parts register a step for a phase (in their constructors or factories), and
 * on SIGTERM or `app.close()` the phases run once, in order, each phase's steps together, each phase
 * bounded (drain by SHUTDOWN_GRACE_MS; close by its steps alone, each with its own timeout and a
 * fallback, such as Redis's QUIT then a dropped connection). One log line a phase: debug, or a warning
 * naming the steps a phase went on without.
 */
@Injectable()
export class ShutdownSequence implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly steps = new Map<ShutdownPhase, Step[]>();
  private readonly bounds: Record<ShutdownPhase, number | undefined>;
  private served?: Promise<void>;
  private closed?: Promise<void>;

  constructor(
    private readonly state: ShutdownState,
    @Inject(appConfig.KEY) config: Pick<ConfigType<typeof appConfig>, 'shutdownGraceMs'>,
  ) {
    this.bounds = { drain: config.shutdownGraceMs, 'hand over': CLIENTS_CLOSE_WAIT_MS, flush: FLUSH_WAIT_MS, close: undefined };
  }

  register(phase: ShutdownPhase, name: string, run: () => unknown): void {
    this.steps.set(phase, [...(this.steps.get(phase) ?? []), { name, run }]);
  }

  /** Everything before Nest closes the HTTP server. */
  beforeApplicationShutdown(): Promise<void> {
    this.served ??= (async () => {
      this.state.drain();
      await this.phase('drain');
      await this.phase('hand over');
      await this.phase('flush');
    })();
    return this.served;
  }

  onApplicationShutdown(): Promise<void> {
    this.closed ??= this.phase('close');
    return this.closed;
  }

  private async phase(phase: ShutdownPhase): Promise<void> {
    const steps = this.steps.get(phase) ?? [];
    const started = performance.now();
    const pending = new Set(steps.map(({ name }) => name));
    const done = Promise.all(
      steps.map(async ({ name, run }) => {
        try {
          await run();
        } catch (error) {
          this.logger.warn(`${phase}: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        pending.delete(name);
      }),
    );
    const bound = this.bounds[phase];
    await (bound === undefined ? done : Promise.race([done, sleep(bound, undefined, { ref: false })]));
    const took = `${Math.round(performance.now() - started)} ms`;
    const names = steps.map(({ name }) => name).join(', ') || 'nothing';
    // A phase done in time is routine (debug: an idle instance's shutdown stays one line at the default level).
    if (pending.size === 0) this.logger.debug(`${phase}: ${names} (${took})`);
    else this.logger.warn(`${phase}: ${names} (${took}); going on without ${[...pending].join(', ')}`);
  }
}
