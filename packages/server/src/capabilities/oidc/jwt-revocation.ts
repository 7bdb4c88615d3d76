/**
 * Revoking JWT access tokens (RFC 9068), which oidc-provider does not store:
 * - one token, at the revocation endpoint (RFC 7009). The library answers `unsupported_token_type`
 *   for a JWT presented there; Gatekeeper takes over exactly that answer: when the authenticated
 *   client presents a JWT access token that this tenant signed for it, its `jti` is recorded as
 *   revoked (an `oidc_payloads` row of model `RevokedJwt`, keyed by the digest of the jti, kept until
 *   the token expires and then swept) and the answer is the RFC's 200. A JWT that is not this
 *   tenant's, or not that client's, is also a 200 with nothing done (RFC 7009 §2.2).
 * - every token of a grant, whenever the library revokes the grant's tokens (an authorization code
 *   used twice, a rotated refresh token reused, a refresh token revoked, RP-initiated logout): a JWT
 *   access token issued under a grant carries `grant_ref`, a digest of the grant id (the id itself is
 *   never shown), and the revocation records that reference (model `RevokedGrant`, kept for the
 *   longest access-token lifetime the tenant could have given).
 * `/authz` (jwt mode) keeps verifying offline and asks `isRevoked` with the jti and the grant
 * reference — an invalidated cache keyed by them (identifiers, not secrets), so a revocation on one
 * instance is refused on every instance within a second, and a token already seen costs no SQL. The
 * client package's offline verifier cannot see revocations (it says so).
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { PayloadStore } from './payload-store.ts';

const MODEL = 'RevokedJwt';
const GRANT_MODEL = 'RevokedGrant';
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/** The `grant_ref` claim of a JWT access token issued under a grant: 128 bits of its id's digest. */
export const grantRefOf = (grantId: string) =>
  createHash('sha256').update(`grant ${grantId}`).digest('base64url').slice(0, 22);

export interface JwtRevocations {
  revoke(tenantId: string, jti: string, expSeconds: number): Promise<void>;
  /** Every JWT access token issued under the grant, for `keepMs` (their longest lifetime). */
  revokeGrant(tenantId: string, grantId: string, keepMs: number): Promise<void>;
  /** Whether the token (its jti, and its grant reference when it has one) was revoked. */
  isRevoked(tenantId: string, jti: string, grantRef?: string): Promise<boolean>;
  start(): void;
  stop(): void;
}

export function createJwtRevocations(deps: {
  payloads: PayloadStore;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
}): JwtRevocations {
  const { payloads } = deps;
  const cache = createInvalidatedCache<boolean>({
    name: 'oidc-jwt-revocations',
    feed: deps.changes,
    ttlMs: 60_000,
    maxEntries: 50_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
    // key: `<tenant> j <jti>` or `<tenant> g <grant_ref>`
    async load(key) {
      const [tenantId, kind, value] = key.split(' ') as [string, string, string];
      const row = await payloads.find(tenantId, kind === 'g' ? GRANT_MODEL : MODEL, digest(value));
      return row !== undefined;
    },
  });
  const plausible = (v: string) => v.length > 0 && v.length <= 256 && !v.includes(' ');
  const marker = (tenantId: string, model: string, value: string, expiresAt: number) =>
    payloads.upsert({
      tenant_id: tenantId,
      model,
      id_digest: digest(value),
      payload: '{}',
      grant_id: null,
      uid: null,
      user_code: null,
      expires_at: expiresAt,
      consumed_at: null,
    });
  return {
    async revoke(tenantId, jti, expSeconds) {
      await marker(tenantId, MODEL, jti, expSeconds * 1000 + 60_000);
      await cache.invalidate(`${tenantId} j ${jti}`);
    },
    async revokeGrant(tenantId, grantId, keepMs) {
      const ref = grantRefOf(grantId);
      await marker(tenantId, GRANT_MODEL, ref, Date.now() + keepMs + 60_000);
      await cache.invalidate(`${tenantId} g ${ref}`);
    },
    async isRevoked(tenantId, jti, grantRef) {
      if (plausible(jti) && (await cache.get(`${tenantId} j ${jti}`))) return true;
      return grantRef !== undefined && plausible(grantRef) && cache.get(`${tenantId} g ${grantRef}`);
    },
    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}

/** The revocation endpoint's answer for a JWT access token (see the file header). */
export function attachJwtRevocation(
  provider: Provider,
  deps: {
    tenantId: string;
    slug: string;
    issuer: string;
    publicKeys(): JWK[];
    revocations: JwtRevocations;
    bus: EventBus;
    onError(err: unknown): void;
  },
): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token/revocation' || ctx.status !== 400) return;
    const body = ctx.body as { error?: string } | undefined;
    const client = ctx.oidc?.client;
    const token = (ctx.oidc?.params as { token?: unknown } | undefined)?.token;
    if (body?.error !== 'unsupported_token_type' || !client || typeof token !== 'string') return;
    let claims: { jti: string; exp: number; sub?: string } | null = null;
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: deps.publicKeys() }), {
        issuer: deps.issuer,
        typ: 'at+jwt',
        requiredClaims: ['jti', 'exp', 'client_id'],
      });
      if (payload.client_id === client.clientId && typeof payload.jti === 'string')
        claims = { jti: payload.jti, exp: payload.exp!, ...(payload.sub ? { sub: payload.sub } : {}) };
    } catch {
      // not a token of ours (bad signature, expired, another issuer): nothing to revoke
    }
    if (claims) {
      try {
        await deps.revocations.revoke(deps.tenantId, claims.jti, claims.exp);
      } catch (err) {
        deps.onError(err);
        ctx.status = 503;
        ctx.body = { error: 'temporarily_unavailable', error_description: 'retry the revocation shortly' };
        return;
      }
    }
    const revoked = claims;
    ctx.status = 200;
    ctx.body = '';
    if (revoked)
      deps.bus.emit({
        type: 'oidc.token_revoked',
        tenant: deps.slug,
        actor: `client:${client.clientId}`,
        target: revoked.sub && revoked.sub !== client.clientId ? `user:${revoked.sub}` : null,
        result: 'success',
        requestId: null,
        data: { kind: 'AccessToken', format: 'jwt', clientId: client.clientId, jti: revoked.jti },
      });
  });
}
