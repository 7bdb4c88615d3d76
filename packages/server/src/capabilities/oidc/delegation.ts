/**
 * Delegated tokens: RFC 8693 token exchange and RFC 7523 jwt-bearer (the seeds' delegated token).
 * A service presents a user's access token from this tenant (`subject_token`, or the `assertion`)
 * and gets a token for another audience with the user as `sub` and itself as `act` (RFC 8693 §4.1).
 * Allowed only where a trust link from the calling client to the target resource server permits
 * delegation; scopes are narrowed to what the user's token, the trust link and the resource server
 * all allow — asking for more is invalid_scope (no escalation). Errors are the library's classes.
 */
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { ResourcePolicy } from './resources.ts';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

interface Subject {
  sub: string;
  scopes: string[];
  /** The subject token's own `act` (a chain of delegations, RFC 8693 §4.1). */
  act?: Record<string, unknown>;
}

export interface DelegationDeps {
  issuer: string;
  /** The tenant's public signing keys (constant for one Provider: a key change rebuilds it). */
  publicKeys(): JWK[];
  policy(): Promise<ResourcePolicy>;
  isActive(sub: string): Promise<boolean>;
  accessTokenTtl(): number;
}

// one local JWKS per Provider's delegation deps: jose keeps the keys it imported with the set
const localJwks = new WeakMap<DelegationDeps, ReturnType<typeof createLocalJWKSet>>();
function jwksOf(deps: DelegationDeps) {
  let jwks = localJwks.get(deps);
  if (!jwks) {
    jwks = createLocalJWKSet({ keys: deps.publicKeys() });
    localJwks.set(deps, jwks);
  }
  return jwks;
}

/** The user behind a subject token: a JWT access token of this issuer, or an opaque one it stores. */
async function subjectOf(provider: Provider, deps: DelegationDeps, token: string): Promise<Subject> {
  if (token.split('.').length === 3) {
    const { payload } = await jwtVerify(token, jwksOf(deps), {
      issuer: deps.issuer,
      typ: 'at+jwt',
    }).catch(() => {
      throw new errors.InvalidGrant('subject token is invalid or expired');
    });
    if (typeof payload.sub !== 'string' || payload.sub === payload.client_id)
      throw new errors.InvalidGrant('subject token does not represent a user');
    return {
      sub: payload.sub,
      scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
      ...(payload.act ? { act: payload.act as Record<string, unknown> } : {}),
    };
  }
  const stored = await provider.AccessToken.find(token);
  if (!stored?.accountId) throw new errors.InvalidGrant('subject token is invalid or expired');
  const act = (stored.extra as { act?: Record<string, unknown> } | undefined)?.act;
  return {
    sub: stored.accountId,
    scopes: (stored.scope ?? '').split(' ').filter(Boolean),
    ...(act ? { act } : {}),
  };
}

async function issue(ctx: KoaContextWithOIDC, deps: DelegationDeps, subjectToken: string) {
  const { provider, client, params } = ctx.oidc as unknown as {
    provider: Provider;
    client: { clientId: string; gatekeeper?: { id: string } };
    params: Record<string, string | undefined>;
  };
  const subject = await subjectOf(provider, deps, subjectToken);
  if (!(await deps.isActive(subject.sub))) throw new errors.InvalidGrant('the user is not active');
  const audience = params.resource ?? params.audience;
  if (!audience) throw new errors.InvalidTarget('resource (or audience) is required');
  const policy = await deps.policy();
  const rs = policy.byIdentifier.get(audience);
  if (!rs) throw new errors.InvalidTarget('unknown resource server');
  const link = client.gatekeeper ? policy.links.get(`${client.gatekeeper.id} ${rs.identifier}`) : undefined;
  if (!link?.delegation)
    throw new errors.InvalidTarget('no trust link from this client to the resource server allows delegation');
  const allowed = link.scopes.filter((s) => rs.scopes.includes(s) && subject.scopes.includes(s));
  const requested = params.scope ? params.scope.split(' ').filter(Boolean) : allowed;
  const beyond = requested.filter((s) => !allowed.includes(s));
  if (beyond.length > 0)
    throw new errors.InvalidScope('requested scope exceeds what may be delegated', beyond.join(' '));

  const act = { sub: client.clientId, ...(subject.act ? { act: subject.act } : {}) };
  const token = new provider.AccessToken({
    accountId: subject.sub,
    client: client as never,
    scope: requested.join(' ') || undefined,
  } as never);
  const ttl = rs.accessTokenTtl ?? deps.accessTokenTtl();
  token.resourceServer = new provider.ResourceServer(rs.identifier, {
    audience: rs.identifier,
    scope: rs.scopes.join(' '),
    accessTokenTTL: ttl,
    accessTokenFormat: rs.tokenFormat,
  } as never);
  (token as unknown as { gatekeeperAct: unknown }).gatekeeperAct = act;
  ctx.oidc.entity('AccessToken', token as never);
  const value = await token.save();
  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: token.expiration,
    ...(token.scope ? { scope: token.scope } : {}),
  };
}

/** `extraTokenClaims`: the `act` claim of a delegated token. */
export function delegatedClaims(token: unknown): Record<string, unknown> | undefined {
  const act = (token as { gatekeeperAct?: unknown }).gatekeeperAct;
  return act ? { act } : undefined;
}

export function registerDelegationGrants(provider: Provider, deps: DelegationDeps): void {
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx: KoaContextWithOIDC) => {
      const params = ctx.oidc.params as Record<string, string | undefined>;
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE && params.subject_token_type !== JWT_TYPE)
        throw new errors.InvalidRequest('subject_token_type must be an access token or a JWT');
      if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest('only access tokens can be requested');
      if (params.actor_token)
        throw new errors.InvalidRequest('actor_token is not supported: the client is the actor');
      if (!params.subject_token)
        throw new errors.InvalidRequest('missing required parameter(s) (subject_token)');
      await issue(ctx, deps, params.subject_token);
    },
    [
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
      'requested_token_type',
      'audience',
      'resource',
      'scope',
    ],
  );
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx: KoaContextWithOIDC) => {
      const params = ctx.oidc.params as Record<string, string | undefined>;
      if (!params.assertion) throw new errors.InvalidRequest('missing required parameter(s) (assertion)');
      await issue(ctx, deps, params.assertion);
    },
    ['assertion', 'resource', 'audience', 'scope'],
  );
}
