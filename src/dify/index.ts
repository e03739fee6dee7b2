export { DifyModule } from './dify.module';
export { DifyAppApi } from './dify-app-api';
export { DifyClient } from './dify-client';
export { DifySettings } from './dify-settings';
export { DifyEndpoint } from './dify-endpoint';
export { DifyError, DifyErrorKind } from './dify-error';
export * from './dify.types';
export { inputsProblem } from './dify-input-form';
