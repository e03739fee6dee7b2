import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

/**
 * The service's Prometheus instruments, behind names that say what happened. Each app has its own
 * registry (not prom-client's global one), so several apps can live in one process, as in the tests.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly connections = new Gauge({
    name: 'realtime_rag_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  private readonly questions = new Counter({
    name: 'realtime_rag_questions_total',
    help: 'Questions asked of Dify, by how they were detected (detected, instant)',
    labelNames: ['mode'],
    registers: [this.registry],
  });
  private readonly difyCalls = new Counter({
    name: 'realtime_rag_dify_calls_total',
    help: 'Dify calls of a turn, by outcome (completed, cancelled, busy, or the DifyError kind) and app',
    labelNames: ['outcome', 'app'],
    registers: [this.registry],
  });
  private readonly firstChunk = new Histogram({
    name: 'realtime_rag_first_chunk_seconds',
    help: 'Seconds from asking Dify to the first answer chunk, by app',
    labelNames: ['app'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly answerDuration = new Histogram({
    name: 'realtime_rag_answer_duration_seconds',
    help: 'Seconds from asking Dify to a complete answer, by app',
    labelNames: ['app'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly interrupts = new Counter({
    name: 'realtime_rag_interrupts_total',
    help: 'Answers interrupted by a newer question',
    registers: [this.registry],
  });
  private readonly retractions = new Counter({
    name: 'realtime_rag_questions_retracted_total',
    help: 'Questions taken back because the speaker went on before any answer text was sent (each leaves an abandoned Dify call)',
    registers: [this.registry],
  });
  private readonly upgradesRefused = new Counter({
    name: 'realtime_rag_upgrades_refused_total',
    help: 'WebSocket upgrades refused before any socket opened, by reason (origin, unauthorized, unknown_app, too_many_connections, too_many_principal_connections, shutting_down)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly batchItems = new Counter({
    name: 'realtime_rag_batch_items_total',
    help: 'Tries of batch items by this instance, by outcome (answered, failed for good, retried after a passing failure)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'realtime_rag_rate_limited_total',
    help: 'Messages refused by the per-connection rate limit',
    registers: [this.registry],
  });
  private readonly errorsSent = new Counter({
    name: 'realtime_rag_errors_total',
    help: 'Error messages sent to WebSocket clients, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly resumes = new Counter({
    name: 'realtime_rag_resumes_total',
    help: 'Resume messages received (those that found nothing to resume also count as errors_total{code="RESUME_UNAVAILABLE"})',
    registers: [this.registry],
  });
  private readonly dependencyUp = new Gauge({
    name: 'realtime_rag_dependency_up',
    help: 'Whether a dependency passed the last readiness probe (1) or not (0), by dependency (dify, sessions)',
    labelNames: ['dependency'],
    registers: [this.registry],
  });

  /** How many sessions the store holds, when it can tell cheaply (the in-memory store can). */
  private countStoredSessions?: () => number;
  private countAnswersInFlight?: () => number;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const count = () => this.countStoredSessions?.();
    new Gauge({
      name: 'realtime_rag_sessions_stored',
      help: 'Sessions held by the in-memory session store',
      registers: [this.registry],
      collect() {
        const stored = count();
        if (stored !== undefined) this.set(stored);
      },
    });
    const inFlight = () => this.countAnswersInFlight?.() ?? 0;
    new Gauge({
      name: 'realtime_rag_answers_in_flight',
      help: 'Answers streaming now or still closing upstream (counted in MAX_CONCURRENT_ANSWERS)',
      registers: [this.registry],
      collect() {
        this.set(inFlight());
      },
    });
  }

  trackAnswersInFlight(count: () => number): void {
    this.countAnswersInFlight = count;
  }

  trackStoredSessions(count: () => number): void {
    this.countStoredSessions = count;
  }

  connectionOpened(): void {
    this.connections.inc();
  }

  connectionClosed(): void {
    this.connections.dec();
  }

  questionAsked(mode: 'detected' | 'instant'): void {
    this.questions.inc({ mode });
  }

  answerInterrupted(): void {
    this.interrupts.inc();
  }

  /** The speaker went on after a question was asked: its call was abandoned, the whole question follows. */
  questionRetracted(): void {
    this.retractions.inc();
  }

  /** An upgrade was refused: origin, unauthorized, unknown_app, too_many_connections, too_many_principal_connections or shutting_down. */
  upgradeRefused(reason: string): void {
    this.upgradesRefused.inc({ reason });
  }

  batchItemTried(outcome: 'answered' | 'failed' | 'retried'): void {
    this.batchItems.inc({ outcome });
  }

  messageRateLimited(): void {
    this.rateLimited.inc();
  }

  errorSent(code: string): void {
    this.errorsSent.inc({ code });
  }

  resumeAsked(): void {
    this.resumes.inc();
  }

  /** A readiness probe's verdict on a dependency (dify, sessions). */
  dependencyChecked(dependency: string, up: boolean): void {
    this.dependencyUp.set({ dependency }, up ? 1 : 0);
  }

  firstChunkAfter(app: string, seconds: number): void {
    this.firstChunk.observe({ app }, seconds);
  }

  /** A turn's Dify call for `app` ended: how (completed, cancelled, busy, or a DifyError kind) and after how long. */
  callEnded(app: string, outcome: string, seconds: number): void {
    this.difyCalls.inc({ outcome, app });
    if (outcome === 'completed') this.answerDuration.observe({ app }, seconds);
  }
}
