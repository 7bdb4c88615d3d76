/**
 * The gateway on both dialects, and on PostgreSQL + Redis with two instances: a token (an API token,
 * or a JWT access token at the revocation endpoint) revoked, a
 * route added, a grant revoked or an HMAC secret revoked on one instance is enforced by the other
 * within a second; a nonce spent on one is a replay on the other; rate limits count across both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../../client/src/request-signer.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { openSecondInstance, type SecondInstance, within } from '../../../test/second-instance.ts';
import { setUpService } from '../oidc/test-support.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`/authz across instances [${dialect}]`, () => {
    const redis = dialect === 'postgres' && Boolean(process.env.GATEKEEPER_TEST_REDIS_URL);
    let a: TestRuntime;
    let b: SecondInstance;
    let g: Awaited<ReturnType<typeof gatewayTenant>>;
    let routeId: string;

    beforeAll(async () => {
      a = await createTestRuntime({ dialect, redis });
      b = await openSecondInstance(a);
      g = await gatewayTenant(a.services, 'acme');
      const route = await g.route('api.example.com', '/v1/*', { GET: ['api_key', 'hmac'] });
      routeId = route.id;
      await g.grantClient(route.id, ['GET']);
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    const auth = () => ({ authorization: `Bearer ${g.serviceToken}` });
    const onB = (headers: Record<string, string>, uri = '/v1/x') => askNginx(b.app, 'acme', { uri, headers });

    it('sees a route and a grant made on the other instance, and their removal', async () => {
      const added = await g.route('api.example.com', '/v2/*', { GET: ['api_key'] });
      expect(
        await within(
          1500,
          async () => (await onB(auth(), '/v2/x')).headers['x-authz-reason'] === 'not_permitted',
        ),
      ).toBeGreaterThanOrEqual(0);
      const grant = await g.grantClient(added.id, ['GET']);
      expect(
        await within(1500, async () => (await onB(auth(), '/v2/x')).statusCode === 200),
      ).toBeGreaterThanOrEqual(0);
      await a.services.gateway.config.revokePermission(g.tenantId, grant.id, ctx);
      expect(
        await within(1500, async () => (await onB(auth(), '/v2/x')).statusCode === 403),
      ).toBeGreaterThanOrEqual(0);
    });

    // in-process state is one instance's own (the embedded mode runs one instance)
    it.runIf(redis)('spends a nonce once across instances', async () => {
      const headers = await signRequest(
        { method: 'GET', url: 'https://api.example.com/v1/x' },
        { keyId: g.client.clientId, secret: g.hmacSecret },
      );
      expect((await askNginx(a.app, 'acme', { uri: '/v1/x', headers })).statusCode).toBe(200);
      const replay = await onB(headers);
      expect([replay.statusCode, replay.headers['x-authz-reason']]).toEqual([401, 'nonce_replayed']);
    });

    it.runIf(redis)('counts a rate limit across instances', async () => {
      const limit = await a.services.gateway.config.setLimit(
        g.tenantId,
        { subjectType: 'client', subject: g.client.id, routeId, burst: 4, burstWindowSeconds: 5 },
        ctx,
      );
      await within(1500, async () => (await onB(auth())).headers['ratelimit-limit'] === '4');
      await new Promise((r) => setTimeout(r, 5100));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await askNginx(a.app, 'acme', { uri: '/v1/x', headers: auth() })).statusCode);
        statuses.push((await onB(auth())).statusCode);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
      await a.services.gateway.config.deleteLimit(g.tenantId, limit.id, ctx);
    });

    it('refuses a token revoked on the other instance within a second', async () => {
      const { secret, token } = await a.services.apiTokens.create(
        g.tenantId,
        { owner: { type: 'client', id: g.client.id }, name: 'r', scopes: [] },
        ctx,
      );
      const headers = { authorization: `Bearer ${secret}` };
      await within(1500, async () => (await onB(headers)).statusCode === 200);
      expect((await onB(headers)).statusCode).toBe(200); // cached on B
      await a.services.apiTokens.revoke(g.tenantId, token.id, ctx);
      const took = await within(
        1000,
        async () => (await onB(headers)).headers['x-authz-reason'] === 'credential_revoked',
      );
      expect(took).toBeGreaterThanOrEqual(0);
    });

    it('refuses a JWT access token revoked at the revocation endpoint of the other instance within a second', async () => {
      const svc = await setUpService(a.services, { slug: 'jwtco' });
      const route = await a.services.gateway.config.createRoute(
        svc.tenantId,
        { host: 'orders.jwtco.test', path: '/orders/*', auth: { GET: ['jwt'] }, audience: svc.audience },
        ctx,
      );
      await a.services.gateway.config.grant(
        svc.tenantId,
        { routeId: route.id, subjectType: 'client', subject: svc.clientRecordId, methods: ['GET'] },
        ctx,
      );
      const basic = `Basic ${Buffer.from(`${svc.clientId}:${svc.clientSecret}`).toString('base64')}`;
      const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
      const issued = await a.app.inject({
        method: 'POST',
        url: '/t/jwtco/token',
        headers: form,
        payload: `grant_type=client_credentials&scope=orders:read&resource=${encodeURIComponent(svc.audience)}`,
      });
      const token = issued.json<{ access_token: string }>().access_token;
      const onBJwt = () =>
        askNginx(b.app, 'jwtco', {
          host: 'orders.jwtco.test',
          uri: '/orders/1',
          headers: { authorization: `Bearer ${token}` },
        });
      expect(await within(1500, async () => (await onBJwt()).statusCode === 200)).toBeGreaterThanOrEqual(0);
      const revoked = await a.app.inject({
        method: 'POST',
        url: '/t/jwtco/token/revocation',
        headers: form,
        payload: `token=${token}`,
      });
      expect(revoked.statusCode, revoked.body).toBe(200);
      const took = await within(
        1000,
        async () => (await onBJwt()).headers['x-authz-reason'] === 'credential_revoked',
      );
      expect(took).toBeGreaterThanOrEqual(0);
    });

    it('refuses an HMAC secret revoked on the other instance within a second', async () => {
      const sign = () =>
        signRequest(
          { method: 'GET', url: 'https://api.example.com/v1/x' },
          { keyId: g.client.clientId, secret: g.hmacSecret },
        );
      expect((await onB(await sign())).statusCode).toBe(200);
      const [secret] = await a.services.gateway.hmacSecrets.list(g.tenantId, g.client.id);
      await a.services.gateway.hmacSecrets.revoke(g.tenantId, g.client.id, secret!.id, ctx);
      const took = await within(
        1000,
        async () =>
          (await onB(await sign())).headers['x-authz-reason'] === 'bad_signature' ||
          (await onB(await sign())).headers['x-authz-reason'] === 'unknown_key',
      );
      expect(took).toBeGreaterThanOrEqual(0);
    });
  });
}
