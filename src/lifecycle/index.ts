export { LifecycleModule } from './lifecycle.module';
export { ShutdownState } from './shutdown-state';
