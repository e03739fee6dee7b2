import { Observable } from 'rxjs';
import { DifyChatRequest, DifyEvent } from '../dify';

/**
 * What one turn asks an app's knowledge base, whichever provider serves it: Dify's request, since
 * the answering code already speaks it. `conversationId` is the provider's own thread (Dify's
 * conversation, RAGFlow's session, FastGPT's chatId); absent starts a new one. `session` is the
 * session store's key, for a provider whose memory the session keeps (openai).
 */
export interface UpstreamRequest extends DifyChatRequest {
  session?: string;
}

/**
 * The one event vocabulary every provider's adapter emits: Dify's (see DifyEvent), so the answering
 * code consumes any provider as it consumes Dify. `end` carries the sources as Dify's retriever
 * resources; `progress` a step of the provider's work; `conversationId` the thread to continue.
 */
export type UpstreamEvent = DifyEvent;

/** The providers an app may name (`APPS[name].provider`). */
export type ProviderName = 'dify' | 'openai' | 'ragflow' | 'fastgpt';

/**
 * An app's knowledge base behind one port (an abstract class, so it serves as a DI token).
 * `ask` is cold: the HTTP request starts on subscribe, completes after the answer's end, fails with
 * an UpstreamError (a DifyError, so the wire mapping is the same for every provider); unsubscribing
 * aborts the request (and calls the platform's stop call where it has one).
 */
export abstract class Upstream {
  abstract readonly provider: ProviderName;
  abstract ask(request: UpstreamRequest): Observable<UpstreamEvent>;
  /** Resolves once none of `user`'s calls is open upstream (its request closed, its stop answered). */
  abstract closed(user: string): Promise<void>;
  /** Why the provider cannot answer now (a cheap authenticated call), or undefined when it can. Never throws. */
  abstract whyUnready(): Promise<string | undefined>;
}
