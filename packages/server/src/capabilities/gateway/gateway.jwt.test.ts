/**
 * The `jwt` mode through `/authz` (issue 11 §2/§8): a Gatekeeper access token (client credentials,
 * from the tenant's token endpoint) for the route's audience is allowed with X-Client-ID and X-Scopes;
 * a token for another audience, of another tenant, expired, not `at+jwt`, signed with a key the
 * tenant does not publish, garbage, or whose trust link was deleted or client disabled is a 401 with
 * its reason; after a key rotation tokens of the new key verify (the in-process key cache follows);
 * `jwt,api_key` tries the token kind the request carries; a jwt route needs an audience; a token
 * revoked at the revocation endpoint is refused from then on.
 */
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { type ServiceSetup, setUpService } from '../oidc/test-support.ts';
import { askNginx, ctx } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`/authz jwt [${dialect}]`, () => {
    let t: TestRuntime;
    let s: ServiceSetup;
    let other: ServiceSetup;
    let routeId = '';
    let apiToken = '';

    /** A client-credentials access token from the tenant's token endpoint. */
    const issue = async (setup: ServiceSetup, resource = setup.audience): Promise<string> => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/t/${setup.slug}/token`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${setup.clientId}:${setup.clientSecret}`).toString('base64')}`,
        },
        payload: `grant_type=client_credentials&scope=orders:read&resource=${encodeURIComponent(resource)}`,
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json<{ access_token: string }>().access_token;
    };
    /** A token signed with the tenant's own current key, with chosen claims and header. */
    const forge = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
      const keySet = await t.services.oidc.keys.keySet(s.tenantId);
      const jwk = keySet.keys[0]!;
      const key = await importJWK(jwk, keySet.alg);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: s.issuer,
        aud: s.audience,
        sub: s.clientId,
        client_id: s.clientId,
        scope: 'orders:read',
        jti: `j${Math.random()}`,
        iat: now,
        exp: now + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: keySet.alg, typ: 'at+jwt', kid: jwk.kid, ...header })
        .sign(key);
    };
    const ask = (token: string, method = 'GET') =>
      askNginx(t.app, s.slug, {
        method,
        host: 'orders.example.com',
        uri: '/orders/1',
        headers: { authorization: `Bearer ${token}` },
      });

    beforeAll(async () => {
      t = await createTestRuntime({
        dialect,
        redis: dialect === 'postgres',
        env: { GATEKEEPER_OIDC_KEY_PUBLISH_LEAD_SECONDS: '0' },
      });
      s = await setUpService(t.services, { slug: 'acme' });
      other = await setUpService(t.services, { slug: 'other' });
      const route = await t.services.gateway.config.createRoute(
        s.tenantId,
        {
          host: 'orders.example.com',
          path: '/orders/*',
          auth: { GET: ['jwt'], POST: ['jwt', 'api_key'] },
          audience: s.audience,
        },
        ctx,
      );
      routeId = route.id;
      await t.services.gateway.config.grant(
        s.tenantId,
        { routeId, subjectType: 'client', subject: s.clientRecordId, methods: ['GET', 'POST'] },
        ctx,
      );
      apiToken = (
        await t.services.apiTokens.create(
          s.tenantId,
          { owner: { type: 'client', id: s.clientRecordId }, name: 'svc', scopes: [] },
          ctx,
        )
      ).secret;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('allows an access token for the route’s audience and names the client and its scopes', async () => {
      const r = await ask(await issue(s));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['x-client-id']).toBe(s.clientId);
      expect(r.headers['x-scopes']).toBe('orders:read');
      expect(r.headers['x-route-id']).toBe(routeId);
    });

    it('refuses an access token revoked at the revocation endpoint (credential_revoked); another client cannot revoke it', async () => {
      const token = await issue(s);
      expect((await ask(token)).statusCode).toBe(200);
      const revoke = (clientId: string, secret: string) =>
        t.app.inject({
          method: 'POST',
          url: `/t/${s.slug}/token/revocation`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          },
          payload: `token=${token}&token_type_hint=access_token`,
        });
      // the resource server's own client is not the token's client: 200, nothing revoked (RFC 7009)
      const foreign = await revoke(s.introspector.clientId, s.introspector.clientSecret);
      expect(foreign.statusCode, foreign.body).toBe(200);
      expect((await ask(token)).statusCode).toBe(200);
      const r = await revoke(s.clientId, s.clientSecret);
      expect(r.statusCode, r.body).toBe(200);
      const denied = await ask(token);
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['x-authz-reason']).toBe('credential_revoked');
      // a fresh token of the same client still works; the revocation is stored as a digest
      expect((await ask(await issue(s))).statusCode).toBe(200);
      const rows = await t.runtime.database.db
        .selectFrom('oidc_payloads')
        .selectAll()
        .where('model', '=', 'RevokedJwt')
        .execute();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]!);
    });

    it('refuses other audiences, issuers, expired, non at+jwt, foreign-key and garbage tokens (401)', async () => {
      const cases: [string, Promise<string>, string][] = [
        ['other audience', forge({ aud: 'https://elsewhere.example/' }), 'wrong_audience'],
        ['other issuer', forge({ iss: other.issuer }), 'wrong_issuer'],
        ['expired', forge({ iat: 1_000, exp: 2_000 }), 'token_expired'],
        ['typ JWT', forge({}, { typ: 'JWT' }), 'invalid_token'],
        ['no client_id', forge({ client_id: undefined }), 'invalid_token'],
        // signed with the other tenant's key, which this tenant does not publish: refused before its issuer is read
        ['another tenant’s token', issue(other), 'invalid_token'],
        [
          'a key the tenant does not publish',
          (async () => {
            const { privateKey } = await generateKeyPair('RS256');
            return new SignJWT({ iss: s.issuer, aud: s.audience, sub: s.clientId, client_id: s.clientId })
              .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'not-ours' })
              .setIssuedAt()
              .setExpirationTime('5m')
              .sign(privateKey);
          })(),
          'invalid_token',
        ],
        ['garbage', Promise.resolve('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'), 'invalid_token'],
        ['alg none', Promise.resolve('eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.e30.'), 'invalid_token'],
      ];
      for (const [name, token, reason] of cases) {
        const r = await ask(await token);
        expect(r.statusCode, name).toBe(401);
        expect(r.headers['x-authz-reason'], name).toBe(reason);
        expect(r.headers['www-authenticate'], name).toBe('Bearer realm="acme"');
      }
    });

    it('verifies tokens of a new signing key after a rotation', async () => {
      const before = await issue(s);
      await t.services.oidc.keys.rotate(s.tenantId, {}, ctx);
      const after = await issue(s);
      expect((await ask(after)).statusCode).toBe(200);
      expect((await ask(before)).statusCode).toBe(200); // the old key stays published
    });

    it('tries jwt or api_key by what the request carries', async () => {
      expect((await ask(await issue(s), 'POST')).statusCode).toBe(200);
      const key = await ask(apiToken, 'POST');
      expect(key.statusCode, key.body).toBe(200);
      expect(key.headers['x-client-id']).toBe(s.clientId);
      // a JWT on a method that accepts only api_key is not an API token
      const none = await askNginx(t.app, s.slug, {
        method: 'POST',
        host: 'orders.example.com',
        uri: '/orders/1',
      });
      expect(none.statusCode).toBe(401);
    });

    it('a token checked once for one route is not taken by a route of another audience', async () => {
      const token = await issue(s);
      expect((await ask(token)).statusCode).toBe(200); // verified, and remembered
      const billing = await t.services.gateway.config.createRoute(
        s.tenantId,
        {
          host: 'billing.example.com',
          path: '/*',
          auth: { GET: ['jwt'] },
          audience: 'https://billing.example/',
        },
        ctx,
      );
      await t.services.gateway.config.grant(
        s.tenantId,
        { routeId: billing.id, subjectType: 'client', subject: s.clientRecordId, methods: ['GET'] },
        ctx,
      );
      const r = await askNginx(t.app, s.slug, {
        host: 'billing.example.com',
        uri: '/x',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.statusCode).toBe(401);
      expect(r.headers['x-authz-reason']).toBe('wrong_audience');
    });

    it('refuses a jwt route without an audience', async () => {
      await expect(
        t.services.gateway.config.createRoute(
          s.tenantId,
          { host: 'x.example.com', path: '/x/*', auth: { GET: ['jwt'] } },
          ctx,
        ),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('ends a client’s tokens when its trust link is deleted, and a disabled client’s', async () => {
      const token = await issue(s);
      expect((await ask(token)).statusCode).toBe(200);
      await t.services.oidc.resources.deleteTrust(s.tenantId, s.trustId, ctx);
      const r = await ask(token);
      expect(r.statusCode).toBe(401);
      expect(r.headers['x-authz-reason']).toBe('trust_revoked');

      const token2 = await issue(other);
      await t.services.clients.update(
        other.tenantId,
        other.clientRecordId,
        { status: 'disabled' },
        undefined,
        ctx,
      );
      const route = await t.services.gateway.config.createRoute(
        other.tenantId,
        { host: 'orders.example.com', path: '/orders/*', auth: { GET: ['jwt'] }, audience: other.audience },
        ctx,
      );
      await t.services.gateway.config.grant(
        other.tenantId,
        { routeId: route.id, subjectType: 'client', subject: other.clientRecordId, methods: ['GET'] },
        ctx,
      );
      const disabled = await askNginx(t.app, other.slug, {
        host: 'orders.example.com',
        uri: '/orders/1',
        headers: { authorization: `Bearer ${token2}` },
      });
      expect(disabled.statusCode).toBe(401);
      expect(disabled.headers['x-authz-reason']).toBe('client_disabled');
    });
  });
}
