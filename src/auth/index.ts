export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { Authenticator, isTokenParameter, presentedToken } from './authenticator';
export { ANONYMOUS } from './principal';
export type { Authentication, Principal } from './principal';
export { requestPrincipal, setRequestPrincipal } from './request-principal';
export { mintToken } from './token-minter';
