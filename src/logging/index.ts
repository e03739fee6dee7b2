export { LoggingModule } from './logging.module';
export { redactedUrl } from './redaction';
