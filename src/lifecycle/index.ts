export { LifecycleModule } from './lifecycle.module';
export { ShutdownPhase, ShutdownSequence } from './shutdown-sequence';
export { ShutdownState } from './shutdown-state';
