import { HttpService } from '@nestjs/axios';
import { DifySettings } from './dify-settings';
import { difyErrorFrom } from './dify-http-error';
import { DifyAppParameters, DifyFeedbackRating } from './dify.types';

/** How long the app's settings are trusted before they are asked for again. */
const PARAMETERS_TTL_MS = 60_000;

/** Dify's app endpoints around the chat: the app's input form, feedback on a message, follow-up questions. */
export class DifyAppApi {
  private known?: { fetchedAt: number; parameters: Promise<DifyAppParameters> };

  constructor(
    private readonly http: HttpService,
    private readonly settings: DifySettings,
  ) {}

  /**
   * `GET /parameters`: the app's settings, its input form among them. Asked at most once a minute
   * for every caller (each hello's inputs, the demo page's speech), who meanwhile share the one
   * request; a failure is not remembered: the next call asks again.
   */
  parameters(): Promise<DifyAppParameters> {
    if (!this.known || Date.now() - this.known.fetchedAt > PARAMETERS_TTL_MS) {
      const known = { fetchedAt: Date.now(), parameters: this.get<DifyAppParameters>('/parameters').then(({ data }) => data) };
      known.parameters.catch(() => this.known === known && (this.known = undefined));
      this.known = known;
    }
    return this.known.parameters;
  }

  /** `POST /messages/{id}/feedbacks` as the message's user; a null rating takes a rating back. */
  async feedback(messageId: string, user: string, rating: DifyFeedbackRating, content?: string): Promise<void> {
    await this.call(() =>
      this.http.axiosRef.post(
        this.settings.url(`/messages/${encodeURIComponent(messageId)}/feedbacks`),
        { rating, user, ...(content === undefined ? {} : { content }) },
        { headers: this.settings.authHeader(), timeout: this.settings.limits.timeoutMs },
      ),
    );
  }

  /** `GET /messages/{id}/suggested`: the follow-up questions Dify suggests after a message's answer. */
  async suggested(messageId: string, user: string): Promise<string[]> {
    const { data } = await this.get<{ data?: unknown }>(`/messages/${encodeURIComponent(messageId)}/suggested`, { user });
    return Array.isArray(data.data) ? data.data.filter((q): q is string => typeof q === 'string') : [];
  }

  private get<T>(path: string, params?: Record<string, string>) {
    return this.call(() =>
      this.http.axiosRef.get<T>(this.settings.url(path), {
        headers: this.settings.authHeader(),
        params,
        timeout: this.settings.limits.timeoutMs,
      }),
    );
  }

  /** Failures as DifyErrors (classified, without the key or the body's secrets). */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw await difyErrorFrom(error);
    }
  }
}
