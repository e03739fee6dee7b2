export { LoggingModule, withoutToken } from './logging.module';
