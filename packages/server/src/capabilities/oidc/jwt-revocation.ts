/**
 * Revoking JWT access tokens (RFC 9068) at the revocation endpoint (RFC 7009). oidc-provider does
 * not store JWT access tokens and answers `unsupported_token_type` for one presented there; Gatekeeper
 * takes over exactly that answer: when the authenticated client presents a JWT access token that
 * this tenant signed for it, its `jti` is recorded as revoked (an `oidc_payloads` row of model
 * `RevokedJwt`, keyed by the digest of the jti, kept until the token expires and then swept) and the
 * answer is the RFC's 200. A JWT that is not this tenant's, or not that client's, is also a 200 with
 * nothing done (RFC 7009 §2.2). `/authz` (jwt mode) and the client package's verifier keep verifying
 * offline; `/authz` asks `isRevoked` — an invalidated cache keyed by the jti (an identifier, not a
 * secret), so a revocation on one instance is refused on every instance within a second, and a
 * token already seen costs no SQL.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { PayloadStore } from './payload-store.ts';

const MODEL = 'RevokedJwt';
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export interface JwtRevocations {
  revoke(tenantId: string, jti: string, expSeconds: number): Promise<void>;
  isRevoked(tenantId: string, jti: string): Promise<boolean>;
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
    async load(key) {
      const space = key.indexOf(' ');
      const row = await payloads.find(key.slice(0, space), MODEL, digest(key.slice(space + 1)));
      return row !== undefined;
    },
  });
  return {
    async revoke(tenantId, jti, expSeconds) {
      await payloads.upsert({
        tenant_id: tenantId,
        model: MODEL,
        id_digest: digest(jti),
        payload: '{}',
        grant_id: null,
        uid: null,
        user_code: null,
        expires_at: expSeconds * 1000 + 60_000,
        consumed_at: null,
      });
      await cache.invalidate(`${tenantId} ${jti}`);
    },
    isRevoked: (tenantId, jti) =>
      jti.length === 0 || jti.length > 256 ? Promise.resolve(false) : cache.get(`${tenantId} ${jti}`),
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
