import type { AxiosInstance } from 'axios';
import { Observable } from 'rxjs';
import { SseCaller } from '../sse-call';
import { Upstream, UpstreamEvent, UpstreamRequest } from '../upstream';
import { UpstreamLimits } from '../upstream-limits';
import { probeGet } from '../upstream-probe';
import { RagflowFrames } from './ragflow-frames';
import { RagflowSettings } from './ragflow-settings';

/**
 * A RAGFlow chat assistant's native chat completions. RAGFlow keeps the history in its session:
 * the first question starts one (RAGFlow names it in its frames' `session_id`, kept with the session
 * like Dify's conversation), the next ones continue it. No stop call: the request is aborted.
 */
export class RagflowUpstream extends Upstream {
  readonly provider = 'ragflow';
  private readonly caller: SseCaller;

  constructor(
    private readonly settings: RagflowSettings,
    private readonly http: AxiosInstance,
    private readonly limits: UpstreamLimits,
  ) {
    super();
    this.caller = new SseCaller('ragflow', http, limits);
  }

  ask(request: UpstreamRequest): Observable<UpstreamEvent> {
    const { baseUrl, chatId, stream } = this.settings;
    return this.caller.stream(() => ({
      url: `${baseUrl}/api/v1/chats/${encodeURIComponent(chatId)}/completions`,
      headers: this.authHeader(),
      body: {
        question: request.query,
        stream: true,
        user_id: request.user,
        ...(request.conversationId ? { session_id: request.conversationId } : {}),
      },
      user: request.user,
      reader: new RagflowFrames(stream),
    }));
  }

  closed(user: string): Promise<void> {
    return this.caller.closed(user);
  }

  whyUnready(): Promise<string | undefined> {
    const url = `${this.settings.baseUrl}/api/v1/chats?id=${encodeURIComponent(this.settings.chatId)}`;
    return probeGet(this.http, 'ragflow', url, this.authHeader(), this.limits.timeoutMs, true);
  }

  private authHeader(): Record<string, string> {
    return { Authorization: `Bearer ${this.settings.apiKey}` };
  }
}
