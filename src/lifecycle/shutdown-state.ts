import { Injectable } from '@nestjs/common';

/** Whether the process is draining for shutdown: readiness says 503 and new connections are refused. */
@Injectable()
export class ShutdownState {
  private drainingNow = false;
  private readonly listeners: Array<() => void> = [];

  get draining(): boolean {
    return this.drainingNow;
  }

  /** The first step of a shutdown (the gateway's, on SIGTERM); what waits for it starts now. */
  drain(): void {
    if (this.drainingNow) return;
    this.drainingNow = true;
    for (const listener of this.listeners.splice(0)) listener();
  }

  /** For work to stop at once rather than in its module's turn among the shutdown hooks. */
  onDrain(listener: () => void): void {
    this.listeners.push(listener);
  }
}
