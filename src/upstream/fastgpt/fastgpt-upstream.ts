import type { AxiosInstance } from 'axios';
import { randomUUID } from 'node:crypto';
import { defer, Observable } from 'rxjs';
import { SseCaller } from '../sse-call';
import { Upstream, UpstreamEvent, UpstreamRequest } from '../upstream';
import { UpstreamLimits } from '../upstream-limits';
import { FastGptFrames } from './fastgpt-frames';
import { FastGptSettings } from './fastgpt-settings';

/**
 * A FastGPT app through its OpenAPI chat (`/api/v1/chat/completions`, `detail: true`). FastGPT keeps
 * the history by `chatId`: a session's first question picks a new one (kept with the session like
 * Dify's conversation), the next ones send it again; the session's inputs are its `variables`.
 * Each answer's `responseChatItemId` is ours, so the message id is known from the first event.
 */
export class FastGptUpstream extends Upstream {
  readonly provider = 'fastgpt';
  private readonly caller: SseCaller;

  constructor(
    private readonly settings: FastGptSettings,
    http: AxiosInstance,
    limits: UpstreamLimits,
  ) {
    super();
    this.caller = new SseCaller('fastgpt', http, limits);
  }

  ask(request: UpstreamRequest): Observable<UpstreamEvent> {
    return defer(() => {
      const ids = { conversationId: request.conversationId ?? randomUUID(), messageId: randomUUID() };
      return this.caller.stream(() => ({
        url: `${this.settings.baseUrl}/v1/chat/completions`,
        headers: { Authorization: `Bearer ${this.settings.apiKey}` },
        body: {
          chatId: ids.conversationId,
          responseChatItemId: ids.messageId,
          stream: true,
          detail: true,
          variables: request.inputs ?? {},
          messages: [{ role: 'user', content: request.query }],
        },
        user: request.user,
        reader: new FastGptFrames(ids),
      }));
    });
  }

  closed(user: string): Promise<void> {
    return this.caller.closed(user);
  }

  /** FastGPT has no cheap call an app key may make: readiness is what the answers say. */
  whyUnready(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}
