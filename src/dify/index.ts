export { DifyModule } from './dify.module';
export { DifyClient } from './dify.client';
export { DifyConnection } from './dify-connection';
export { DifyError, DifyErrorKind } from './dify-error';
export * from './dify.types';
