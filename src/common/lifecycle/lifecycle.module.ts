import { Global, Module } from '@nestjs/common';
import { processShutdown, ShutdownState } from './shutdown.state.js';

@Global()
@Module({
  providers: [{ provide: ShutdownState, useValue: processShutdown }],
  exports: [ShutdownState],
})
export class LifecycleModule {}
