export { Upstream, UpstreamEvent, UpstreamRequest, ProviderName } from './upstream';
export { UpstreamError } from './upstream-error';
export { UpstreamLimits } from './upstream-limits';
export { ProviderSettingsError } from './settings-fields';
export { parseProviderSettings, createUpstream, ProviderSettings, UpstreamDeps } from './providers';
export { DifyUpstream } from './dify/dify-upstream';
export { OpenAiSettings } from './openai/openai-settings';
export { RagflowSettings } from './ragflow/ragflow-settings';
export { FastGptSettings } from './fastgpt/fastgpt-settings';
