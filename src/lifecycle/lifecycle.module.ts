import { Global, Module } from '@nestjs/common';
import { ShutdownSequence } from './shutdown-sequence';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({ providers: [ShutdownState, ShutdownSequence], exports: [ShutdownState, ShutdownSequence] })
export class LifecycleModule {}
