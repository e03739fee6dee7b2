import type { AxiosInstance } from 'axios';
import { defer, Observable, switchMap, tap } from 'rxjs';
import type { RememberedTurn } from '../../session';
import { SseCaller } from '../sse-call';
import { Upstream, UpstreamEvent, UpstreamRequest } from '../upstream';
import { UpstreamLimits } from '../upstream-limits';
import { probeGet } from '../upstream-probe';
import { OpenAiFrames } from './openai-frames';
import { OpenAiSettings } from './openai-settings';
import { TurnMemory } from './turn-memory';

/**
 * Any OpenAI-compatible chat-completions server (vLLM, Ollama, LiteLLM, OneAPI, MaxKB…): stateless,
 * so the session's last turns (TurnMemory) go with each question as `messages`, and a complete
 * answer is remembered. No stop call: closing the request is how these servers are told.
 */
export class OpenAiUpstream extends Upstream {
  readonly provider = 'openai';
  private readonly caller: SseCaller;

  constructor(
    private readonly settings: OpenAiSettings,
    private readonly http: AxiosInstance,
    private readonly limits: UpstreamLimits,
    private readonly memory: TurnMemory,
  ) {
    super();
    this.caller = new SseCaller('openai', http, limits);
  }

  ask(request: UpstreamRequest): Observable<UpstreamEvent> {
    return defer(() => this.memory.recall(request.session)).pipe(
      switchMap((history) => {
        let answer = '';
        return this.caller
          .stream(() => ({
            url: `${this.settings.baseUrl}/chat/completions`,
            headers: this.authHeader(),
            body: this.body(request.query, history),
            user: request.user,
            reader: new OpenAiFrames(),
          }))
          .pipe(
            tap((event) => {
              if (event.kind === 'text') answer += event.text;
              if (event.kind === 'end') this.memory.remember(request.session, { question: request.query, answer });
            }),
          );
      }),
    );
  }

  closed(user: string): Promise<void> {
    return this.caller.closed(user);
  }

  whyUnready(): Promise<string | undefined> {
    return probeGet(this.http, 'openai', `${this.settings.baseUrl}/models`, this.authHeader(), this.limits.timeoutMs);
  }

  private body(query: string, history: RememberedTurn[]): Record<string, unknown> {
    const { systemPrompt, model, extraBody } = this.settings;
    const messages = [
      ...(systemPrompt ? [{ role: 'system', content: systemPrompt }] : []),
      ...history.flatMap((turn) => [
        { role: 'user', content: turn.question },
        { role: 'assistant', content: turn.answer },
      ]),
      { role: 'user', content: query },
    ];
    return { ...extraBody, model, messages, stream: true, stream_options: { include_usage: true } };
  }

  private authHeader(): Record<string, string> {
    return { Authorization: `Bearer ${this.settings.apiKey}` };
  }
}
