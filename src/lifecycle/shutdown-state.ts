import { Injectable } from '@nestjs/common';

/** Whether the process is draining for shutdown: readiness says 503 and new connections are refused. */
@Injectable()
export class ShutdownState {
  draining = false;
}
