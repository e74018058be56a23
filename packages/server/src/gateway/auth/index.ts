export { AuthError, AuthErrorCode, isAuthError } from './auth-error.js';
export type { AuthErrorCodeName } from './auth-error.js';
export { ALWAYS_REQUIRED_CLAIMS, authDefaults } from './auth-options.js';
export type { AuthOptions } from './auth-options.js';
export { createAuthenticator } from './authenticator.js';
export type { AuthIdentity, Authenticator } from './authenticator.js';
export { AUTH_COOKIE_NAME, REDACTED_QUERY_PARAMS, TOKEN_QUERY_PARAM, extractToken, redactUrl } from './token-source.js';
export type { ExtractedToken, TokenCarrier, TokenRequest } from './token-source.js';
