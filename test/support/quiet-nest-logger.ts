/**
 * Jest setup: code that logs through Nest's Logger outside an app (as unit specs run it) would print
 * the warnings a test provokes on purpose among jest's output; errors still show. An e2e app logs
 * into the test's CapturingLogger instead, whatever this says.
 */
import { Logger } from '@nestjs/common';

Logger.overrideLogger(['error', 'fatal']);
