export { appConfig, AppConfig } from './app.config';
export { difyConfig, DifyConfig } from './dify.config';
export { sessionConfig, SessionConfig } from './session.config';
export { turnConfig, TurnConfig, DEFAULT_QUESTION_THRESHOLD } from './turn.config';
export { authConfig, AuthConfig } from './auth.config';
export { limitsConfig, LimitsConfig } from './limits.config';
export { resumeConfig, ResumeConfig } from './resume.config';
export { batchConfig, BatchConfig } from './batch.config';
export { packageInfo } from './package-info';
