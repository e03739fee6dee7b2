export { DifyModule } from './dify.module';
export { DifyApp, DifyApps } from './dify-apps';
export { DifyAppApi } from './dify-app-api';
export { DifyClient } from './dify-client';
export { DifySettings } from './dify-settings';
export { DifyEndpoint, DifyEndpoints } from './dify-endpoint';
export { DifyError, DifyErrorKind } from './dify-error';
export * from './dify.types';
export { inputsProblem } from './dify-input-form';
