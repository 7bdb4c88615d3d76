/**
 * Delegated tokens with openid-client as the calling service: RFC 8693 token exchange and RFC 7523
 * jwt-bearer turn a user's token into one for another API with the user as `sub` and the service
 * as `act`, verified with jose against the tenant JWKS; only through a trust link that allows
 * delegation; scopes narrowed, escalation refused; a disabled user's token exchanges for nothing.
 */
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import type { OidcService } from './service.ts';
import { injectFetch, type ServiceSetup, setUpService } from './test-support.ts';

type AnyProvider = NonNullable<Awaited<ReturnType<OidcService['providerFor']>>>['provider'];
const SYSTEM = { actor: 'system' };
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const FRONT = 'https://front.deleg.example/';

describe('token exchange and jwt-bearer through a delegation trust link', () => {
  let t: TestRuntime;
  let s: ServiceSetup;
  let provider: AnyProvider;
  let service: oauth.Configuration;
  let fetchImpl: typeof fetch;
  let userId: string;

  /** A user's JWT access token for the front API (as the authorization code flow would issue). */
  async function userToken(scope: string): Promise<string> {
    const rs = (await t.services.oidc.resources.policy(s.tenantId)).byIdentifier.get(FRONT)!;
    const client = await provider.Client.find(s.clientId);
    const token = new provider.AccessToken({ accountId: userId, client, scope } as never);
    token.resourceServer = new provider.ResourceServer(FRONT, {
      audience: FRONT,
      scope: rs.scopes.join(' '),
      accessTokenFormat: 'jwt',
      accessTokenTTL: 300,
      jwt: { sign: { alg: 'RS256' } },
    } as never);
    return token.save();
  }

  beforeAll(async () => {
    t = await createTestRuntime();
    s = await setUpService(t.services, {
      slug: 'deleg',
      delegation: true,
      scopes: ['orders:read', 'orders:write'],
    });
    await t.services.clients.update(
      s.tenantId,
      s.clientRecordId,
      { grantTypes: ['client_credentials', EXCHANGE, BEARER] as never },
      undefined,
      SYSTEM,
    );
    await t.services.oidc.resources.createResource(
      s.tenantId,
      { identifier: FRONT, scopes: ['orders:read', 'orders:write', 'profile:read'] },
      SYSTEM,
    );
    userId = (await t.services.users.create(s.tenantId, { username: 'erin' }, SYSTEM)).id;
    provider = (await t.services.oidc.providerFor('deleg'))!.provider;
    fetchImpl = injectFetch(t.app);
    service = await oauth.discovery(new URL(s.issuer), s.clientId, s.clientSecret, undefined, {
      [oauth.customFetch]: fetchImpl,
      execute: [oauth.allowInsecureRequests],
    });
    service[oauth.customFetch] = fetchImpl;
  });
  afterAll(async () => t?.close());

  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${s.issuer}/jwks`), { [customFetch]: fetchImpl }), {
      issuer: s.issuer,
      audience: s.audience,
      typ: 'at+jwt',
    });

  it('token exchange: the user as sub, the service as act, scopes narrowed to the trust link', async () => {
    const subject = await userToken('orders:read orders:write profile:read');
    const r = await oauth.genericGrantRequest(service, EXCHANGE, {
      subject_token: subject,
      subject_token_type: AT,
      resource: s.audience,
    });
    expect(r.issued_token_type).toBe(AT);
    const { payload } = await verify(r.access_token);
    expect(payload.sub).toBe(userId);
    expect(payload.act).toEqual({ sub: s.clientId });
    expect(payload.scope).toBe('orders:read');
  });

  it('jwt-bearer: the same delegated token from an assertion', async () => {
    const assertion = await userToken('orders:read');
    const r = await oauth.genericGrantRequest(service, BEARER, { assertion, resource: s.audience });
    const { payload } = await verify(r.access_token);
    expect(payload).toMatchObject({ sub: userId, act: { sub: s.clientId }, scope: 'orders:read' });
  });

  it('scope escalation through token exchange: invalid_scope', async () => {
    const subject = await userToken('orders:read');
    const err = await oauth
      .genericGrantRequest(service, EXCHANGE, {
        subject_token: subject,
        subject_token_type: AT,
        resource: s.audience,
        scope: 'orders:write',
      })
      .catch((e: unknown) => e);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_scope');
  });

  it('without a trust link that allows delegation: invalid_target', async () => {
    const subject = await userToken('orders:read');
    const err = await oauth
      .genericGrantRequest(service, EXCHANGE, {
        subject_token: subject,
        subject_token_type: AT,
        resource: FRONT,
      })
      .catch((e: unknown) => e);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_target');
  });

  it('a forged or foreign subject token, and a disabled user: invalid_grant', async () => {
    const forged = await oauth
      .genericGrantRequest(service, EXCHANGE, {
        subject_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
        subject_token_type: AT,
        resource: s.audience,
      })
      .catch((e: unknown) => e);
    expect((forged as oauth.ResponseBodyError).error).toBe('invalid_grant');
    const subject = await userToken('orders:read');
    await t.services.users.update(s.tenantId, userId, { status: 'disabled' }, undefined, SYSTEM);
    const err = await oauth
      .genericGrantRequest(service, BEARER, { assertion: subject, resource: s.audience })
      .catch((e: unknown) => e);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_grant');
    await t.services.users.update(s.tenantId, userId, { status: 'active' }, undefined, SYSTEM);
  });
});
