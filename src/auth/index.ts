export { AuthModule } from './auth.module';
export { Authenticator, isTokenParameter, presentedToken } from './authenticator';
export { TokenListAuthenticator, ANONYMOUS } from './token-list-authenticator';
