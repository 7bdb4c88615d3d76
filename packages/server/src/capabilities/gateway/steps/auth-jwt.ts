/**
 * The `jwt` mode: a Gatekeeper access token (RFC 9068, `typ: at+jwt`) in `Authorization: Bearer`,
 * issued by this tenant for the route's audience (its resource server). Verified with jose against
 * the tenant's keys from the in-process key cache (no SQL, no HTTP; a rotation reaches every instance
 * within a second): signature, `typ`, `iss`, `aud`, `exp` (and `nbf`, `iat`) with a 30 s tolerance.
 * Then what a token cannot say about itself, from cached state: a service token (or a delegated one)
 * needs its client's trust link to the audience, made before the token was issued — deleting the link
 * ends its tokens; a token revoked at the revocation endpoint (its `jti`), or one of a grant whose
 * tokens the provider revoked (its `grant_ref`: code reuse, refresh reuse, logout), is refused; its
 * client must
 * be active — or, for a user's token of a client with no record whose client_id is an https URL, be a
 * Client ID Metadata Document client the tenant's provider accepts (the document fetched, cached as
 * it says; its id is then its client_id); a user's token needs the user active. Scopes come from
 * `scope` (`X-Scopes`).
 */
import { errors, jwtVerify } from 'jose';
import type { TenantRef } from '../../../access/principal.ts';
import { type DenyReason, deny } from '../reasons.ts';
import { bearerOf, looksLikeJwt, type ModeCheck } from './mode.ts';
import type { StepDeps } from './step.ts';

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Signatures already checked: a client sends the same access token for its whole lifetime, and an
 * RS256 verification costs more than the rest of the decision. An entry holds for the token string
 * with the same key lookup (a rotation replaces the lookup: the entry no longer matches), issuer and
 * audience, until the token expires; what can change meanwhile (trust link, client, user) is checked
 * on every request below. Bounded; the oldest entries go first.
 */
const VERIFIED_MAX = 10_000;
const verified = new Map<
  string,
  { keys: unknown; issuer: string; audience: string; claims: AccessTokenClaims & { exp: number } }
>();

function remembered(
  token: string,
  keys: unknown,
  issuer: string,
  audience: string,
): AccessTokenClaims | undefined {
  const hit = verified.get(token);
  if (!hit) return undefined;
  if (hit.keys !== keys || hit.issuer !== issuer || hit.audience !== audience) return undefined;
  if (hit.claims.exp * 1000 + CLOCK_TOLERANCE_SECONDS * 1000 <= Date.now()) {
    verified.delete(token);
    return undefined;
  }
  return hit.claims;
}

function remember(
  token: string,
  keys: unknown,
  issuer: string,
  audience: string,
  claims: AccessTokenClaims,
): void {
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(token, { keys, issuer, audience, claims: claims as AccessTokenClaims & { exp: number } });
}

interface AccessTokenClaims {
  sub?: string;
  client_id?: unknown;
  scope?: unknown;
  jti?: unknown;
  grant_ref?: unknown;
  iat?: number;
  act?: unknown;
}

/** The reason for a token jose refused, by what it refused. */
function refusalOf(err: unknown): { reason: DenyReason; detail: string } {
  if (err instanceof errors.JWTExpired) return { reason: 'token_expired', detail: 'the token has expired' };
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return { reason: 'wrong_audience', detail: "not for this route's audience" };
    if (err.claim === 'iss') return { reason: 'wrong_issuer', detail: "not this tenant's issuer" };
    return { reason: 'invalid_token', detail: `claim ${err.claim}: ${err.reason}` };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return { reason: 'invalid_token', detail: 'bad signature' };
  if (err instanceof errors.JWKSNoMatchingKey)
    return { reason: 'invalid_token', detail: 'signed with a key this tenant does not publish' };
  const code = (err as { code?: string }).code ?? 'invalid';
  return { reason: 'invalid_token', detail: `refused (${code})` };
}

/** A Client ID Metadata Document client as the caller's client: its id is its client_id (the URL). */
async function metadataDocumentClient(
  deps: StepDeps,
  tenant: TenantRef,
  clientId: string,
): Promise<{ id: string; clientId: string; name: string; status: 'active' } | null> {
  const found = await deps.metadataDocumentClient(tenant, clientId);
  return found ? { id: found.clientId, clientId: found.clientId, name: found.name, status: 'active' } : null;
}

export const jwtMode: ModeCheck = {
  mode: 'jwt',
  presented(ctx) {
    const bearer = bearerOf(ctx);
    return bearer !== undefined && looksLikeJwt(bearer);
  },
  async verify(ctx, deps) {
    const token = bearerOf(ctx)!;
    const tenant = ctx.tenant!;
    const audience = ctx.match!.route.audience;
    if (!audience) return deny('wrong_audience', 'the route names no audience');
    const { issuer, keys } = await deps.tokenKeys(tenant);
    let claims = remembered(token, keys, issuer, audience);
    if (!claims) {
      try {
        ({ payload: claims } = await jwtVerify<AccessTokenClaims>(token, keys, {
          issuer,
          audience,
          typ: 'at+jwt',
          algorithms: ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
        }));
      } catch (err) {
        const { reason, detail } = refusalOf(err);
        return deny(reason, detail);
      }
      remember(token, keys, issuer, audience, claims);
    }
    if (typeof claims.client_id !== 'string' || typeof claims.sub !== 'string')
      return deny('invalid_token', 'client_id and sub must be strings');
    const grantRef = typeof claims.grant_ref === 'string' ? claims.grant_ref : undefined;
    if (
      (typeof claims.jti === 'string' || grantRef) &&
      (await deps.jwtRevoked(tenant.id, typeof claims.jti === 'string' ? claims.jti : '', grantRef))
    )
      return deny('credential_revoked', `access token ${String(claims.jti ?? '')} was revoked`);
    const serviceToken = claims.sub === claims.client_id;
    const record = await deps.clientByClientId(tenant.id, claims.client_id);
    // a user's token of a client known only by its metadata document (no record): valid while the
    // tenant's provider accepts the document; a service or delegated token always needs a record
    const client =
      record ??
      (!serviceToken && claims.act === undefined && claims.client_id.startsWith('https://')
        ? await metadataDocumentClient(deps, tenant, claims.client_id)
        : null);
    if (client?.status !== 'active') return deny('client_disabled', "the token's client is not active");
    if (serviceToken || claims.act !== undefined) {
      const link = (await deps.resourcePolicy(tenant.id)).links.get(`${client.id} ${audience}`);
      // `iat` is in whole seconds: a link made within the second the token was issued covers it
      if (!link || link.createdAtMs >= ((claims.iat ?? 0) + 1) * 1000)
        return deny(
          'trust_revoked',
          `no trust link from ${client.clientId} to ${audience} covers this token`,
        );
    }
    let userId: string | null = null;
    let roles: readonly string[] = [];
    if (!serviceToken) {
      const access = await deps.userAccess(tenant.id, claims.sub);
      if (!access) return deny('user_inactive', `the token's user ${claims.sub} is not active`);
      userId = claims.sub;
      roles = access.roles;
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    ctx.caller = {
      via: 'jwt',
      client: { id: client.id, clientId: client.clientId, name: client.name },
      userId,
      roles,
      tokenId: typeof claims.jti === 'string' ? claims.jti : null,
      scopes,
    };
    if (ctx.trace)
      ctx.note(`access token ${typeof claims.jti === 'string' ? claims.jti : ''} of ${client.clientId}`);
    return undefined;
  },
  challenge: (realm) => `Bearer realm="${realm}"`,
};
