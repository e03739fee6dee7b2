import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config';
import { DifyApps, inputsProblem } from '../dify';
import { wireErrors } from '../protocol';
import { SessionRecords, sessionKey } from '../session';

/**
 * A session's values for the app's input variables (`hello{inputs}`), checked against a Dify
 * app's input form and kept with the session, so every question of it (after a reconnect too, on
 * any instance) carries them. Bounded in bytes (MAX_INPUTS_BYTES) before anything else, as a form
 * may give its text fields no max_length.
 */
@Injectable()
export class SessionInputs {
  constructor(
    private readonly dify: DifyApps,
    private readonly sessions: SessionRecords,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  /** Fails with INVALID_MESSAGE naming the field, or a Dify or store failure; the old inputs then stay. */
  async set(principal: string, app: string, sessionId: string, inputs: Record<string, unknown>): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(inputs));
    if (bytes > this.config.maxInputsBytes) throw wireErrors.inputsTooLarge(bytes, this.config.maxInputsBytes);
    // Only Dify has a form to check against; another provider takes them as they are (FastGPT as its variables).
    const dify = this.dify.find(app);
    const problem = dify && inputsProblem(inputs, (await dify.api.parameters()).user_input_form);
    if (problem) throw wireErrors.invalidInputs(problem);
    await this.sessions.keepInputs(sessionKey(principal, app, sessionId), inputs);
  }
}
