import type { DifyConfig } from '../config';

/** The bounds of one provider call: DifySettings' (DIFY_TIMEOUT, DIFY_FIRST_TOKEN_TIMEOUT, DIFY_TOTAL_TIMEOUT, DIFY_RETRIES, …), same meaning for every provider. */
export type UpstreamLimits = Pick<
  DifyConfig,
  'timeoutMs' | 'firstTokenTimeoutMs' | 'totalTimeoutMs' | 'retries' | 'retryBaseMs' | 'maxEventChars'
>;
