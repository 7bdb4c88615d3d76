/**
 * @gatekeeper/client — the Gatekeeper SDK. Today: the admin API client (`createAdminClient`), its
 * resource types, and the two errors every call can throw: `GatekeeperApiError` (the server answered
 * with a problem document; switch on `code`) and `GatekeeperRequestError` (no usable answer: network,
 * timeout, abort); access-token verification for resource servers and RFC 9728 metadata
 * (`createAccessTokenVerifier`, `protectedResourceMetadata`); the gateway request signer.
 */
export {
  type AccessTokenClaims,
  AccessTokenError,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  type DpopContext,
  protectedResourceMetadata,
  wwwAuthenticate,
} from './access-token.ts';
export {
  type AdminClient,
  type AdminClientOptions,
  type ApiResponse,
  createAdminClient,
  type HttpMethod,
  type QueryParams,
  type QueryValue,
  type RequestOptions,
} from './admin-client.ts';
export type {
  AdminResources,
  AuditApi,
  GroupsApi,
  TenantsApi,
  TokensApi,
  UsersApi,
  WriteOptions,
} from './admin-resources.ts';
export type * from './admin-types.ts';
export {
  GatekeeperApiError,
  isGatekeeperApiError,
  type ProblemDocument,
  type ProblemFieldError,
  UNEXPECTED_RESPONSE,
} from './problem-error.ts';
export {
  GatekeeperRequestError,
  isGatekeeperRequestError,
  type RequestFailure,
} from './request-error.ts';
export {
  contentDigest,
  type HmacKey,
  SIGNED_COMPONENTS,
  type SignableRequest,
  type SignOptions,
  signRequest,
  signRfc9421,
  verifyContentDigest,
} from './request-signer.ts';
