export { AuthModule } from './auth.module';
export { Authenticator, presentedToken } from './authenticator';
export { TokenListAuthenticator, ANONYMOUS } from './token-list.authenticator';
