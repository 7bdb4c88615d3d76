/**
 * The stable reasons of `/authz` decisions: every denial names one (audit `data.reason`, the
 * `X-Authz-Reason` header, the `reason` label of `gatekeeper_authz_decisions_total`), and its status
 * is fixed here. Only 401, 403 and 429 ever deny: nginx turns any other status of an auth_request
 * into a 500, so a malformed header is a 401 (credentials) or a 403 (the request itself), never 400.
 */

export const DENY_REASONS = {
  // the request to /authz and the original request it describes (403)
  tenant_unknown: 403,
  tenant_suspended: 403,
  untrusted_forwarder: 403,
  missing_original_request: 403,
  ambiguous_original_request: 403,
  duplicate_header: 403,
  malformed_method: 403,
  malformed_host: 403,
  malformed_target: 403,
  suspicious_path: 403,
  no_route: 403,
  method_not_allowed: 403,
  // authentication (401, with WWW-Authenticate)
  credentials_required: 401,
  duplicate_credentials: 401,
  malformed_authorization: 401,
  invalid_token: 401,
  wrong_credential_kind: 401,
  credential_unknown: 401,
  credential_revoked: 401,
  credential_expired: 401,
  wrong_tenant: 401,
  owner_inactive: 401,
  client_disabled: 401,
  session_invalid: 401,
  user_inactive: 401,
  wrong_audience: 401,
  wrong_issuer: 401,
  token_expired: 401,
  trust_revoked: 401,
  malformed_signature: 401,
  unsupported_signature: 401,
  missing_signed_component: 401,
  unknown_key: 401,
  bad_signature: 401,
  clock_skew: 401,
  signature_expired: 401,
  malformed_nonce: 401,
  nonce_replayed: 401,
  bad_content_digest: 401,
  // authorization (403)
  not_permitted: 403,
  missing_scope: 403,
  // limits (429, with Retry-After)
  rate_limited: 429,
  // shared state or a cache load failed: fail closed, never a 5xx
  internal_error: 403,
} as const;

export type DenyReason = keyof typeof DENY_REASONS;
export type DenyStatus = (typeof DENY_REASONS)[DenyReason];

/** A denial: its reason and, for operators (`authz explain`, logs), a detail that never holds a secret. */
export interface Deny {
  readonly deny: DenyReason;
  readonly detail?: string;
}

/** Builds a denial. @example return deny('no_route', `no route for ${host}`); */
export function deny(reason: DenyReason, detail?: string): Deny {
  return detail === undefined ? { deny: reason } : { deny: reason, detail };
}

export function statusOf(reason: DenyReason): DenyStatus {
  return DENY_REASONS[reason];
}
