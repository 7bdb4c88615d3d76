/**
 * Opaque tokens across instances, on SQLite (one instance) and PostgreSQL + Redis (two instances on
 * one database): introspection (RFC 7662) and revocation (RFC 7009) through openid-client; a token
 * revoked on one instance is inactive on the other at once; deleting the trust link, disabling the
 * client or suspending the tenant makes every outstanding token inactive everywhere within a second;
 * signing-key rotation is published before it signs and tokens verify with jose before and after.
 */
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { openSecondInstance, type SecondInstance, within } from '../../../test/second-instance.ts';
import { injectFetch, type ServiceSetup, setUpService } from './test-support.ts';

const SYSTEM = { actor: 'system' };
const redis = Boolean(process.env.GATEKEEPER_TEST_REDIS_URL);

async function configFor(
  fetchImpl: typeof fetch,
  s: ServiceSetup,
  as: { clientId: string; clientSecret: string } = s,
): Promise<oauth.Configuration> {
  const c = await oauth.discovery(new URL(s.issuer), as.clientId, as.clientSecret, undefined, {
    [oauth.customFetch]: fetchImpl,
    execute: [oauth.allowInsecureRequests],
  });
  c[oauth.customFetch] = fetchImpl;
  return c;
}

for (const label of ['sqlite', 'postgres'] as const) {
  const run = dialectAvailable(label) && (label === 'sqlite' || redis);
  (run ? describe : describe.skip)(`opaque tokens, revocation and rotation [${label}]`, () => {
    let t: TestRuntime;
    let other: SecondInstance | undefined;
    let s: ServiceSetup;
    let one: oauth.Configuration;
    let two: oauth.Configuration;
    /** The resource server introspecting on the second instance. */
    let api: oauth.Configuration;

    beforeAll(async () => {
      t = await createTestRuntime({
        dialect: label,
        redis: label === 'postgres',
        env: { GATEKEEPER_OIDC_KEY_PUBLISH_LEAD_SECONDS: '1' },
      });
      s = await setUpService(t.services, { slug: 'opaque', tokenFormat: 'opaque' });
      one = await configFor(injectFetch(t.app), s);
      if (label === 'postgres') {
        other = await openSecondInstance(t);
        two = await configFor(injectFetch(other.app), s);
      } else {
        two = one;
      }
      api = await configFor(two[oauth.customFetch] as unknown as typeof fetch, s, s.introspector);
    });
    afterAll(async () => {
      await other?.close();
      await t?.close();
    });

    const active = async (c: oauth.Configuration, token: string) =>
      (await oauth.tokenIntrospection(c === two ? api : c, token)).active;

    it('introspects an opaque token on every instance and refuses it everywhere once revoked', async () => {
      const { access_token } = await oauth.clientCredentialsGrant(one, {
        resource: s.audience,
        scope: 'orders:read',
      });
      expect(access_token.split('.')).toHaveLength(1);
      const info = await oauth.tokenIntrospection(api, access_token);
      expect(info.active, JSON.stringify(info)).toBe(true);
      expect(info.client_id).toBe(s.clientId);
      expect(info.scope).toBe('orders:read');
      expect([info.aud].flat()).toEqual([s.audience]);
      await oauth.tokenRevocation(two, access_token);
      expect(await active(one, access_token)).toBe(false);
      expect(await active(two, access_token)).toBe(false);
    });

    it('deleting the trust link ends its outstanding tokens on every instance within a second', async () => {
      const { access_token } = await oauth.clientCredentialsGrant(one, { resource: s.audience });
      expect(await active(two, access_token)).toBe(true);
      await t.services.oidc.resources.deleteTrust(s.tenantId, s.trustId, SYSTEM);
      const took = await within(1000, async () => !(await active(two, access_token)));
      expect(took).toBeGreaterThanOrEqual(0);
      const err = await oauth.clientCredentialsGrant(two, { resource: s.audience }).catch((e: unknown) => e);
      expect((err as oauth.ResponseBodyError).error).toBe('invalid_target');
      // a new link does not revive tokens issued before it (iat has whole seconds: wait past it)
      await new Promise((r) => setTimeout(r, 1100));
      const again = await t.services.oidc.resources.createTrust(
        s.tenantId,
        { client: s.clientRecordId, resourceServer: s.audience, scopes: ['orders:read'] },
        SYSTEM,
      );
      s.trustId = again.id;
      const reissued = await within(1000, () =>
        oauth.clientCredentialsGrant(two, { resource: s.audience }).then(
          () => true,
          () => false,
        ),
      );
      expect(reissued).toBeGreaterThanOrEqual(0);
      expect(await active(two, access_token)).toBe(false);
    });

    it('rotation publishes the new key before it signs; tokens verify with jose before and after', async () => {
      await t.services.oidc.resources.createResource(
        s.tenantId,
        { identifier: 'https://jwt.opaque.example/', scopes: ['read'], tokenFormat: 'jwt' },
        SYSTEM,
      );
      await t.services.oidc.resources.createTrust(
        s.tenantId,
        { client: s.clientRecordId, resourceServer: 'https://jwt.opaque.example/', scopes: ['read'] },
        SYSTEM,
      );
      const fetchTwo = two[oauth.customFetch] as unknown as typeof fetch;
      const jwks = () =>
        createRemoteJWKSet(new URL(`${s.issuer}/jwks`), { [customFetch]: fetchTwo, cooldownDuration: 0 });
      const issue = async () =>
        (await oauth.clientCredentialsGrant(two, { resource: 'https://jwt.opaque.example/' })).access_token;
      const verify = (token: string) =>
        jwtVerify(token, jwks(), {
          issuer: s.issuer,
          audience: 'https://jwt.opaque.example/',
          typ: 'at+jwt',
        });

      const before = await issue();
      const oldKid = decodeProtectedHeader(before).kid;
      await verify(before);
      const rotated = await t.services.oidc.keys.rotate(s.tenantId, { alg: 'ES256' }, SYSTEM);
      expect(rotated.state).toBe('pending');
      // published on the other instance within a second, still signing with the old key
      const published = await within(1000, async () => {
        const r = await fetchTwo(`${s.issuer}/jwks`);
        const body = (await r.json()) as { keys: { kid: string }[] };
        return body.keys.some((k) => k.kid === rotated.kid);
      });
      expect(published).toBeGreaterThanOrEqual(0);
      expect(decodeProtectedHeader(await issue()).kid).toBe(oldKid);
      // after the lead time the new key signs; the old token still verifies (its key stays published)
      await new Promise((r) => setTimeout(r, 1200));
      const after = await issue();
      expect(decodeProtectedHeader(after)).toMatchObject({ kid: rotated.kid, alg: 'ES256' });
      await verify(after);
      await verify(before);
      const listed = await t.services.oidc.keys.list(s.tenantId);
      expect(listed.map((k) => k.state)).toEqual(['signing', 'retired']);
    });

    it('a disabled client and a suspended tenant get nothing more, and their tokens go inactive', async () => {
      const { access_token } = await oauth.clientCredentialsGrant(one, { resource: s.audience });
      await t.services.clients.update(
        s.tenantId,
        s.clientRecordId,
        { status: 'disabled' },
        undefined,
        SYSTEM,
      );
      const refused = await within(1000, async () => {
        const err = await oauth
          .clientCredentialsGrant(two, { resource: s.audience })
          .catch((e: unknown) => e);
        return (err as oauth.ResponseBodyError).error === 'invalid_client';
      });
      expect(refused).toBeGreaterThanOrEqual(0);
      expect(await active(two, access_token)).toBe(false);
      await t.services.clients.update(s.tenantId, s.clientRecordId, { status: 'active' }, undefined, SYSTEM);
      await within(1000, async () => active(two, access_token));
      await t.services.tenants.update('opaque', { status: 'suspended' }, undefined, SYSTEM);
      const took = await within(1000, async () => {
        const r = await (two[oauth.customFetch] as unknown as typeof fetch)(`${s.issuer}/token`, {
          method: 'POST',
        });
        return r.status === 403;
      });
      expect(took).toBeGreaterThanOrEqual(0);
      await t.services.tenants.update('opaque', { status: 'active' }, undefined, SYSTEM);
    });
  });
}
