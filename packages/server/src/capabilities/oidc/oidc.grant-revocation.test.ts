/**
 * Revoking a grant reaches its JWT access tokens (jwt-revocation.ts): a user's JWT access token
 * (authorization code + PKCE + a resource indicator, openid-client as the relying party over real
 * HTTP, jose verifying it) carries `grant_ref` — never the grant id — and is allowed by `/authz`
 * until the provider revokes its grant's tokens: the authorization code presented a second time, a
 * rotated refresh token reused after the grace window, or the refresh token revoked at the
 * revocation endpoint. Then `/authz` refuses it (credential_revoked), and every JWT of that grant, on
 * SQLite and on PostgreSQL; a token of another grant of the same user is still allowed. And a user's
 * token carries only the API scopes the user's permissions cover, checked again at every refresh.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { within } from '../../../test/second-instance.ts';
import { freePort } from '../../../test/serve-process.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { askNginx } from '../gateway/test-support.ts';
import { authorizeWithPkce } from './test-support.ts';

const SYSTEM = { actor: 'system' };
const REDIRECT = 'http://localhost/cb';
const AUDIENCE = 'https://orders.example/';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(
    `revoking a grant reaches its JWT access tokens [${dialect}]`,
    () => {
      let t: AdminTestApp;
      let base: string;
      let issuer: string;
      let config: oauth.Configuration;
      let tenantId = '';
      let userId = '';
      let clerk = '';

      beforeAll(async () => {
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        t = await createAdminTestApp({
          dialect,
          env: {
            GATEKEEPER_PUBLIC_URL: base,
            GATEKEEPER_OIDC_KEY_PUBLISH_LEAD_SECONDS: '0',
            GATEKEEPER_OIDC_REFRESH_REUSE_GRACE_SECONDS: '0',
          },
        });
        await t.app.listen({ host: '127.0.0.1', port });
        ({ tenantId, userId } = await seedUser(t.services, 'shop', 'olga', { email: 'olga@example.com' }));
        // olga may read orders, not write them
        const role = await t.services.roles.create(
          tenantId,
          { name: 'clerk', permissions: ['orders:read'] },
          SYSTEM,
        );
        clerk = role.id;
        await t.services.roles.assignToUser(tenantId, userId, clerk, SYSTEM);
        issuer = t.services.oidc.issuerOf('shop');
        await t.services.oidc.resources.createResource(
          tenantId,
          { identifier: AUDIENCE, scopes: ['orders:read', 'orders:write'], tokenFormat: 'jwt' },
          SYSTEM,
        );
        const route = await t.services.gateway.config.createRoute(
          tenantId,
          { host: 'orders.example.com', path: '/orders/*', auth: { GET: ['jwt'] }, audience: AUDIENCE },
          SYSTEM,
        );
        await t.services.gateway.config.grant(
          tenantId,
          { routeId: route.id, subjectType: 'user', subject: userId, methods: ['GET'] },
          SYSTEM,
        );
        const r = await t.call('POST', '/api/v1/tenants/shop/clients', {
          body: {
            name: 'shop app',
            kind: 'public',
            redirectUris: [REDIRECT],
            firstParty: true,
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'offline_access', 'orders:read', 'orders:write'],
          },
        });
        expect(r.statusCode, r.body).toBe(201);
        config = await oauth.discovery(new URL(issuer), r.json().client.clientId, undefined, oauth.None(), {
          execute: [oauth.allowInsecureRequests],
        });
      });
      afterAll(async () => {
        await t?.close();
      });

      /** Signs in through the hosted pages; the callback URL and the PKCE verifier. */
      const authorize = () =>
        authorizeWithPkce(config, {
          base,
          redirectUri: REDIRECT,
          login: 'olga',
          password: PASSWORD,
          params: {
            scope: 'openid offline_access orders:read orders:write',
            resource: AUDIENCE,
            prompt: 'consent',
          },
        });
      const exchange = (a: { callback: URL; verifier: string }) =>
        oauth.authorizationCodeGrant(
          config,
          a.callback,
          { pkceCodeVerifier: a.verifier },
          { resource: AUDIENCE },
        );
      const decide = async (token: string) => {
        const r = await askNginx(t.app, 'shop', {
          host: 'orders.example.com',
          uri: '/orders/7',
          headers: { authorization: `Bearer ${token}` },
        });
        return r.statusCode === 200 ? 'allowed' : String(r.headers['x-authz-reason']);
      };
      const refusedWithin = (token: string) =>
        within(1000, async () => (await decide(token)) === 'credential_revoked');

      it('a JWT access token of a grant carries grant_ref, not the grant id, and verifies with jose', async () => {
        const tokens = await exchange(await authorize());
        const { payload } = await jwtVerify(
          tokens.access_token,
          createRemoteJWKSet(new URL(`${issuer}/jwks`)),
          {
            issuer,
            audience: AUDIENCE,
            typ: 'at+jwt',
          },
        );
        expect(payload.grant_ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
        const grants = await t.runtime.database.db
          .selectFrom('oidc_payloads')
          .select('grant_id')
          .where('grant_id', 'is not', null)
          .execute();
        expect(grants.length).toBeGreaterThan(0);
        for (const { grant_id } of grants) expect(JSON.stringify(payload)).not.toContain(grant_id!);
        expect(await decide(tokens.access_token)).toBe('allowed');
      });

      it('an authorization code used twice ends the JWTs of its grant, and only those', async () => {
        const other = await exchange(await authorize());
        const first = await authorize();
        const tokens = await exchange(first);
        expect(await decide(tokens.access_token)).toBe('allowed');
        const replay = await exchange(first).catch((e: unknown) => e);
        expect((replay as oauth.ResponseBodyError).error).toBe('invalid_grant');
        expect(await refusedWithin(tokens.access_token)).toBeGreaterThanOrEqual(0);
        expect(await decide(other.access_token)).toBe('allowed');
      });

      it('a rotated refresh token reused ends every JWT of its grant, the refreshed ones too', async () => {
        const tokens = await exchange(await authorize());
        const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!, {
          resource: AUDIENCE,
        });
        expect(decodeJwt(refreshed.access_token).grant_ref).toBe(decodeJwt(tokens.access_token).grant_ref);
        expect(await decide(refreshed.access_token)).toBe('allowed');
        const reuse = await oauth
          .refreshTokenGrant(config, tokens.refresh_token!, { resource: AUDIENCE })
          .catch((e: unknown) => e);
        expect((reuse as oauth.ResponseBodyError).error).toBe('invalid_grant');
        expect(await refusedWithin(refreshed.access_token)).toBeGreaterThanOrEqual(0);
        expect(await decide(tokens.access_token)).toBe('credential_revoked');
      });

      it("a user's token carries only the API scopes the user's permissions cover, asked again at every refresh", async () => {
        const tokens = await exchange(await authorize());
        expect(decodeJwt(tokens.access_token).scope).toBe('orders:read');
        await t.services.roles.removeFromUser(tenantId, userId, clerk, SYSTEM);
        try {
          let refresh = tokens.refresh_token!;
          const dropped = await within(1000, async () => {
            const r = await oauth.refreshTokenGrant(config, refresh, { resource: AUDIENCE });
            refresh = r.refresh_token ?? refresh;
            return !String(decodeJwt(r.access_token).scope ?? '').includes('orders:read');
          });
          expect(dropped).toBeGreaterThanOrEqual(0);
        } finally {
          await t.services.roles.assignToUser(tenantId, userId, clerk, SYSTEM);
        }
      });

      it('revoking the refresh token at the revocation endpoint ends the JWTs of its grant', async () => {
        const tokens = await exchange(await authorize());
        expect(await decide(tokens.access_token)).toBe('allowed');
        await oauth.tokenRevocation(config, tokens.refresh_token!);
        expect(await refusedWithin(tokens.access_token)).toBeGreaterThanOrEqual(0);
      });
    },
  );
}
