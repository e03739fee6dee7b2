import { Injectable } from '@nestjs/common';

/** Where the process is in its shutdown, for the parts that behave differently then (ShutdownSequence moves it on). */
@Injectable()
export class ShutdownState {
  private drainingNow = false;
  private handingOverNow = false;

  /** Readiness says 503 and new connections are refused. */
  get draining(): boolean {
    return this.drainingNow;
  }

  /**
   * The answers still streaming are handed over to other instances (a shared answer log): a
   * cancelled Dify call is cut without stopping its task, so Dify finishes and saves the answer.
   */
  get handingOver(): boolean {
    return this.handingOverNow;
  }

  drain(): void {
    this.drainingNow = true;
  }

  /** Said by whoever decides that the answers can be resumed elsewhere (the session rooms), before they are cut. */
  handOver(): void {
    this.handingOverNow = true;
  }
}
