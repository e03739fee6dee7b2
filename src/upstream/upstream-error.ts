import { DifyError, DifyErrorKind } from '../dify';
import type { ProviderName } from './upstream';

/** The provider names as people write them, for messages. */
export const LABEL: Record<ProviderName, string> = {
  dify: 'Dify',
  openai: 'The OpenAI-compatible server',
  ragflow: 'RAGFlow',
  fastgpt: 'FastGPT',
};

/**
 * A provider's failure, in the kinds Dify's already has (so `UPSTREAM_UNAUTHORIZED`,
 * `UPSTREAM_RATE_LIMITED`, … with `upstream_status` reach the client the same way). The provider's
 * own message is never kept: it may quote keys.
 */
export class UpstreamError extends DifyError {
  constructor(
    readonly provider: ProviderName,
    kind: DifyErrorKind,
    message: string,
    status?: number,
    code?: string,
  ) {
    super(kind, message, status, code);
    this.name = 'UpstreamError';
  }

  /** Classifies an HTTP status (or an in-stream error's), with the provider's own code when it gave one. */
  static fromStatus(provider: ProviderName, status: number, code?: string): UpstreamError {
    const said = `${LABEL[provider]} answered ${status}${code ? ` ${code}` : ''}`;
    return new UpstreamError(provider, kindOfStatus(status), said, status, code);
  }

  static of(provider: ProviderName, kind: DifyErrorKind, what: string): UpstreamError {
    return new UpstreamError(provider, kind, `${LABEL[provider]} ${what}`);
  }
}

export function kindOfStatus(status: number): DifyErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}
