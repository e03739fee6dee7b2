export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { Authenticator, isTokenParameter, presentedToken } from './authenticator';
export { ANONYMOUS } from './principal';
export type { Authentication, Principal } from './principal';
export { requestPrincipal, setRequestPrincipal } from './request-principal';
export { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS } from './mint-token.dto';
export { mintToken } from './token-minter';
