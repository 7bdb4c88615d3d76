/**
 * The rules every client registration obeys, whatever the entry point (admin API, CLI, dynamic
 * registration later): one place, so the route schema and the service refuse the same input with the
 * same message.
 * - Redirect URIs match exactly (no wildcards, no fragments; RFC 6749 §3.1.2, RFC 9700 §4.1.3): https,
 *   or http only on a loopback host (RFC 8252 §7.3), or a private-use scheme containing a dot for
 *   native apps (RFC 8252 §7.1).
 * - Grant types come from a closed list; a public client has no secret, so it cannot use
 *   client_credentials (RFC 6749 §4.4) and authenticates with `none` (PKCE is then required).
 * - Scopes are RFC 6749 §3.3 scope tokens.
 */
import { AppError } from '../../errors/app-error.ts';

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const MAX_URIS = 32;
export const MAX_URI_LENGTH = 2048;
export const MAX_SCOPES = 64;
/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
export const SCOPE_PATTERN = '^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}$';
const scopeRegex = new RegExp(SCOPE_PATTERN);
/** Client ids: URL-safe, or an https URL (a client id metadata document). */
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9._~:/-]{1,255}$';
const clientIdRegex = new RegExp(CLIENT_ID_PATTERN);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function invalid(detail: string): never {
  throw new AppError('validation_failed', { detail });
}

/** Checks one redirect URI (see the file header); returns it unchanged. */
export function checkRedirectUri(value: string, field = 'redirectUris'): string {
  if (value.length === 0 || value.length > MAX_URI_LENGTH)
    invalid(`${field}: a URI of 1 to ${MAX_URI_LENGTH} characters`);
  if (/[*\s]/.test(value)) invalid(`${field}: "${value.slice(0, 80)}" has a wildcard or whitespace`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid(`${field}: "${value.slice(0, 80)}" is not an absolute URI`);
  }
  if (url.hash !== '' || value.includes('#')) invalid(`${field}: "${value.slice(0, 80)}" has a fragment`);
  if (url.username !== '' || url.password !== '')
    invalid(`${field}: "${value.slice(0, 80)}" has credentials in it`);
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') {
    if (url.hostname === '') invalid(`${field}: "${value.slice(0, 80)}" has no host`);
    return value;
  }
  if (scheme === 'http') {
    if (!LOOPBACK.has(url.hostname))
      invalid(`${field}: "${value.slice(0, 80)}" must use https (plain http only on a loopback host)`);
    return value;
  }
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme)) return value; // com.example.app:/callback
  return invalid(
    `${field}: "${value.slice(0, 80)}" must be https, http on loopback, or a reverse-DNS private-use scheme`,
  );
}

/** Deduplicated, checked redirect URIs. */
export function checkRedirectUris(values: readonly string[], field = 'redirectUris'): string[] {
  if (values.length > MAX_URIS) invalid(`${field}: at most ${MAX_URIS} URIs`);
  return [...new Set(values.map((v) => checkRedirectUri(v, field)))];
}

export function checkScopes(values: readonly string[]): string[] {
  if (values.length > MAX_SCOPES) invalid(`scopes: at most ${MAX_SCOPES}`);
  for (const s of values)
    if (!scopeRegex.test(s)) invalid(`scopes: "${s.slice(0, 80)}" is not a scope token`);
  return [...new Set(values)].sort();
}

export function checkGrantTypes(values: readonly string[]): GrantType[] {
  for (const g of values)
    if (!(GRANT_TYPES as readonly string[]).includes(g))
      invalid(`grantTypes: "${g.slice(0, 80)}" is not one of ${GRANT_TYPES.join(', ')}`);
  return [...new Set(values)] as GrantType[];
}

export function checkClientId(value: string): string {
  if (!clientIdRegex.test(value)) invalid('clientId: 1 to 255 URL-safe characters');
  return value;
}

/** The combination rules of one client (after each field was checked). */
export function checkClientShape(c: {
  kind: 'confidential' | 'public';
  grantTypes: readonly GrantType[];
  authMethod: AuthMethod;
  redirectUris: readonly string[];
  jwks: unknown;
  jwksUri: string | null;
}): void {
  if (c.kind === 'public') {
    if (c.grantTypes.includes('client_credentials'))
      invalid('grantTypes: a public client cannot use client_credentials (it holds no secret)');
    if (c.authMethod !== 'none') invalid('authMethod: a public client authenticates with "none"');
  } else if (c.authMethod === 'none') {
    invalid('authMethod: a confidential client must authenticate (client_secret_basic, …)');
  }
  if (c.authMethod === 'private_key_jwt' && c.jwks === null && c.jwksUri === null)
    invalid('jwks: private_key_jwt needs jwks or jwksUri');
  const needsRedirect = c.grantTypes.includes('authorization_code');
  if (needsRedirect && c.redirectUris.length === 0)
    invalid('redirectUris: the authorization_code grant needs at least one redirect URI');
  if (c.jwksUri !== null && !c.jwksUri.startsWith('https://')) invalid('jwksUri: must be https');
}

/** A back-channel logout URI (OpenID Back-Channel Logout §2.2): https, or http on loopback; or null. */
export function checkBackchannelLogoutUri(value: string | null): string | null {
  if (value === null) return null;
  checkRedirectUri(value, 'backchannelLogoutUri');
  if (!/^https?:/.test(value)) invalid('backchannelLogoutUri: must be https (or http on loopback)');
  return value;
}

/**
 * A client's claim mapping (oidc/claims.ts applies it): `include` Gatekeeper claims without their
 * scope, `rename` released claims; protocol claims are never renamed, nor renamed onto.
 */
export interface ClaimMapping {
  include: string[];
  rename: Record<string, string>;
}

/** Claims a client may include without their scope. */
export const INCLUDABLE_CLAIMS = ['groups', 'roles', 'organizations'] as const;

const PROTOCOL = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'sid',
  'acr',
  'amr',
  'auth_time',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'events',
  'cnf',
  'scope',
  'client_id',
  'act',
]);
const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const MAX_RENAMES = 32;

function invalidMapping(detail: string): never {
  throw new AppError('validation_failed', { detail: `claimMapping: ${detail}` });
}

/** Checks a mapping (admin API, CLI); returns it normalized, or null for an empty one. */
export function checkClaimMapping(value: unknown): ClaimMapping | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) invalidMapping('an object {"include", "rename"}');
  const { include = [], rename = {}, ...rest } = value as { include?: unknown; rename?: unknown };
  if (Object.keys(rest).length > 0) invalidMapping(`unknown member ${Object.keys(rest)[0]!.slice(0, 40)}`);
  if (!Array.isArray(include) || include.some((c) => !(INCLUDABLE_CLAIMS as readonly unknown[]).includes(c)))
    invalidMapping(`include: a list of ${INCLUDABLE_CLAIMS.join(', ')}`);
  if (typeof rename !== 'object' || rename === null || Array.isArray(rename))
    invalidMapping('rename: an object');
  const entries = Object.entries(rename as Record<string, unknown>);
  if (entries.length > MAX_RENAMES) invalidMapping(`rename: at most ${MAX_RENAMES} claims`);
  const targets = new Set<string>();
  for (const [from, to] of entries) {
    if (!NAME.test(from) || PROTOCOL.has(from))
      invalidMapping(`rename: "${from.slice(0, 64)}" cannot be renamed`);
    if (typeof to !== 'string' || !NAME.test(to) || PROTOCOL.has(to))
      invalidMapping(`rename: "${String(to).slice(0, 64)}" is not a claim name a claim can take`);
    if (targets.has(to)) invalidMapping(`rename: two claims renamed to "${to}"`);
    targets.add(to);
  }
  const mapping: ClaimMapping = {
    include: [...new Set(include as string[])].sort(),
    rename: Object.fromEntries(entries) as Record<string, string>,
  };
  return mapping.include.length === 0 && entries.length === 0 ? null : mapping;
}
