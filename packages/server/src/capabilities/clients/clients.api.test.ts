/**
 * The clients admin API end to end, on SQLite and PostgreSQL: registration with the exact redirect
 * URI rules (wildcards, fragments, plain http off loopback and lookalike schemes refused; native
 * private-use schemes allowed), public clients (no secret, no client_credentials), the first secret
 * shown once and stored only as a digest, rotation with several live secrets, revocation, disabling,
 * If-Match, tenant isolation, an audit entry for every change — and a revoked secret refused by a
 * second instance within a second on PostgreSQL + Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { openSecondInstance, within } from '../../../test/second-instance.ts';
import { createTenantApi, expectWritesAudited, GHOST_ID, problemCode } from '../../../test/tenant-api.ts';
import { digestSecret } from '../../crypto/secret-token.ts';

interface Created {
  client: {
    id: string;
    clientId: string;
    kind: string;
    grantTypes: string[];
    authMethod: string;
    version: number;
  };
  clientSecret: string | null;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`clients API [${dialect}]`, () => {
    let t: AdminTestApp;
    const { api, writes } = createTenantApi(() => t, '/api/v1/tenants/acme');
    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('acme');
      await t.tenant('other');
    });
    afterAll(async () => {
      await t?.close();
    });
    const tenantId = async () => (await t.services.tenants.resolve('acme')).id;

    it('registers a confidential client with its first secret, shown once and stored as a digest', async () => {
      const r = await api('POST', '/clients', {
        body: { name: 'Grafana', redirectUris: ['https://grafana.example.com/login/generic_oauth'] },
      });
      expect(r.statusCode, r.body).toBe(201);
      const { client, clientSecret } = r.json() as unknown as Created;
      expect(r.headers.location).toBe(`/api/v1/tenants/acme/clients/${client.id}`);
      expect(client).toMatchObject({
        kind: 'confidential',
        authMethod: 'client_secret_basic',
        grantTypes: ['authorization_code', 'refresh_token'],
      });
      expect(clientSecret).toMatch(/^gk_cls_/);
      const rows = await t.runtime.database.db
        .selectFrom('credentials')
        .selectAll()
        .where('kind', '=', 'cls')
        .execute();
      expect(rows.map((x) => x.digest)).toContain(digestSecret(clientSecret!));
      expect(JSON.stringify(rows)).not.toContain(clientSecret);
      expect(JSON.stringify((await api('GET', `/clients/${client.id}`)).json())).not.toContain(clientSecret!);
      expect(await t.services.clients.verifySecret(await tenantId(), client.clientId, clientSecret!)).toBe(
        true,
      );
      expect(
        await t.services.clients.verifySecret(await tenantId(), client.clientId, `${clientSecret}x`),
      ).toBe(false);
      const listed = await api('GET', `/clients?clientId=${encodeURIComponent(client.clientId)}`);
      expect((listed.json() as unknown as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([
        client.id,
      ]);
    });

    it('registers a public client without a secret and refuses client_credentials for it', async () => {
      const r = await api('POST', '/clients', {
        body: { name: 'SPA', kind: 'public', redirectUris: ['http://localhost:5173/callback'] },
      });
      expect(r.statusCode, r.body).toBe(201);
      const { client, clientSecret } = r.json() as unknown as Created;
      expect(clientSecret).toBeNull();
      expect(client.authMethod).toBe('none');
      expect(
        problemCode(
          await api('POST', '/clients', {
            body: { name: 'bad public', kind: 'public', grantTypes: ['client_credentials'] },
          }),
          400,
        ),
      ).toBe('validation_failed');
      expect(problemCode(await api('POST', `/clients/${client.id}/secrets`, { body: {} }), 400)).toBe(
        'validation_failed',
      );
    });

    it('matches redirect URIs exactly: refuses wildcards, fragments, plain http off loopback and odd schemes', async () => {
      for (const uri of [
        'https://*.example.com/cb',
        'https://app.example.com/cb#frag',
        'http://app.example.com/cb',
        'javascript:alert(1)',
        'https://user:pw@app.example.com/cb',
        'relative/path',
        'https://app.example.com/c b',
      ]) {
        const r = await api('POST', '/clients', { body: { name: `bad ${uri.length}`, redirectUris: [uri] } });
        expect(problemCode(r, 400), uri).toBe('validation_failed');
      }
      for (const uri of ['http://127.0.0.1:8976/cb', 'http://[::1]/cb', 'com.example.app:/oauth2redirect']) {
        const r = await api('POST', '/clients', {
          body: { name: `native ${uri}`, kind: 'public', redirectUris: [uri] },
        });
        expect(r.statusCode, `${uri}: ${r.body}`).toBe(201);
      }
    });

    it('a service client (client_credentials) needs no redirect URI; duplicates are 409', async () => {
      const r = await api('POST', '/clients', {
        body: { name: 'billing', grantTypes: ['client_credentials'] },
      });
      expect(r.statusCode, r.body).toBe(201);
      expect(problemCode(await api('POST', '/clients', { body: { name: 'BILLING' } }), 409)).toBe('conflict');
      expect(
        problemCode(
          await api('POST', '/clients', {
            body: { name: 'needs redirect', grantTypes: ['authorization_code'] },
          }),
          400,
        ),
      ).toBe('validation_failed');
    });

    it('rotates secrets: several stay valid until revoked; revoking one leaves the others', async () => {
      const { client, clientSecret } = (
        await api('POST', '/clients', { body: { name: 'rotator', grantTypes: ['client_credentials'] } })
      ).json() as unknown as Created;
      const added = await api('POST', `/clients/${client.id}/secrets`, { body: { expiresInDays: 30 } });
      expect(added.statusCode, added.body).toBe(201);
      const second = added.json() as unknown as {
        secret: string;
        credential: { id: string; expiresAt: string };
      };
      expect(second.credential.expiresAt).not.toBeNull();
      const t0 = await tenantId();
      expect(await t.services.clients.verifySecret(t0, client.clientId, clientSecret!)).toBe(true);
      expect(await t.services.clients.verifySecret(t0, client.clientId, second.secret)).toBe(true);
      const list = (await api('GET', `/clients/${client.id}/secrets`)).json() as unknown as {
        items: { id: string }[];
      };
      expect(list.items).toHaveLength(2);
      const first = list.items.find((i) => i.id !== second.credential.id)!;
      expect((await api('DELETE', `/clients/${client.id}/secrets/${first.id}`)).statusCode).toBe(204);
      expect(await t.services.clients.verifySecret(t0, client.clientId, clientSecret!)).toBe(false);
      expect(await t.services.clients.verifySecret(t0, client.clientId, second.secret)).toBe(true);
      expect(problemCode(await api('DELETE', `/clients/${client.id}/secrets/${GHOST_ID}`), 404)).toBe(
        'not_found',
      );
    });

    it('updates with If-Match, disables (secrets stop verifying) and deletes (secrets revoked)', async () => {
      const created = await api('POST', '/clients', {
        body: { name: 'lifecycle', grantTypes: ['client_credentials'], scopes: ['reports:read'] },
      });
      const { client, clientSecret } = created.json() as unknown as Created;
      const etag = String(created.headers.etag);
      const updated = await api('PATCH', `/clients/${client.id}`, {
        ifMatch: etag,
        body: { scopes: ['reports:read', 'reports:write'], firstParty: true },
      });
      expect(updated.statusCode, updated.body).toBe(200);
      expect(
        problemCode(await api('PATCH', `/clients/${client.id}`, { ifMatch: etag, body: { name: 'x' } }), 412),
      ).toBe('precondition_failed');
      const noop = await api('PATCH', `/clients/${client.id}`, { body: { firstParty: true }, noop: true });
      expect(noop.json()).toMatchObject({ version: client.version + 1 });
      const t0 = await tenantId();
      expect((await api('PATCH', `/clients/${client.id}`, { body: { status: 'disabled' } })).statusCode).toBe(
        200,
      );
      expect(await t.services.clients.verifySecret(t0, client.clientId, clientSecret!)).toBe(false);
      expect((await api('PATCH', `/clients/${client.id}`, { body: { status: 'active' } })).statusCode).toBe(
        200,
      );
      expect(await t.services.clients.verifySecret(t0, client.clientId, clientSecret!)).toBe(true);
      expect((await api('DELETE', `/clients/${client.id}`)).statusCode).toBe(204);
      expect(await t.services.clients.verifySecret(t0, client.clientId, clientSecret!)).toBe(false);
      expect(await t.services.clients.byClientId(t0, client.clientId)).toBeNull();
      expect(problemCode(await api('GET', `/clients/${client.id}`), 404)).toBe('not_found');
    });

    it("keeps tenants apart: another tenant's client id is 404 and its secret never verifies here", async () => {
      const r = await t.call('POST', '/api/v1/tenants/other/clients', {
        body: { name: 'theirs', grantTypes: ['client_credentials'] },
      });
      const { client, clientSecret } = r.json() as Created;
      expect(problemCode(await api('GET', `/clients/${client.id}`), 404)).toBe('not_found');
      expect(await t.services.clients.verifySecret(await tenantId(), client.clientId, clientSecret!)).toBe(
        false,
      );
      expect(problemCode(await api('GET', '/clients/not-a-uuid'), 404)).toBe('not_found');
    });

    it('refuses bad input with 400 and writes nothing', async () => {
      const before = (await api('GET', '/clients?limit=200')).json() as unknown as { items: unknown[] };
      for (const body of [
        {},
        { name: '' },
        { name: 'x', unknown: 1 },
        { name: 'x', grantTypes: ['password'] },
        { name: 'x', scopes: ['bad scope'] },
        { name: 'x', redirectUris: 'https://a.example/cb' },
        { name: 'x', accessTokenTtl: 1 },
        { name: 'x', authMethod: 'private_key_jwt' },
        { name: 'x', clientId: 'has space' },
      ]) {
        expect((await api('POST', '/clients', { body })).statusCode, JSON.stringify(body)).toBe(400);
      }
      const after = (await api('GET', '/clients?limit=200')).json() as unknown as { items: unknown[] };
      expect(after.items.length).toBe(before.items.length);
    });

    it('audits every change', async () => {
      await expectWritesAudited(t, 'acme', writes, 10, [
        'client.created',
        'client.updated',
        'client.disabled',
        'client.enabled',
        'client.deleted',
        'client.secret_added',
        'client.secret_revoked',
      ]);
    });
  });
}

describe.runIf(dialectAvailable('postgres'))('clients across instances [postgres + redis]', () => {
  it('a revoked secret and a disabled client are refused by another instance within a second', async () => {
    const a = await createAdminTestApp({ dialect: 'postgres', redis: true });
    const b = await openSecondInstance(a);
    try {
      await a.tenant('acme');
      const tenantId = (await a.services.tenants.resolve('acme')).id;
      const { client, clientSecret } = (
        await a.call('POST', '/api/v1/tenants/acme/clients', {
          body: { name: 'svc', grantTypes: ['client_credentials'] },
        })
      ).json() as Created;
      expect(await b.services.clients.verifySecret(tenantId, client.clientId, clientSecret!)).toBe(true);
      const secrets = (await a.call('GET', `/api/v1/tenants/acme/clients/${client.id}/secrets`)).json() as {
        items: { id: string }[];
      };
      await a.call('DELETE', `/api/v1/tenants/acme/clients/${client.id}/secrets/${secrets.items[0]!.id}`);
      const took = await within(
        1000,
        async () => !(await b.services.clients.verifySecret(tenantId, client.clientId, clientSecret!)),
      );
      expect(took).toBeGreaterThanOrEqual(0);

      expect((await b.services.clients.byClientId(tenantId, client.clientId))?.status).toBe('active');
      await a.call('PATCH', `/api/v1/tenants/acme/clients/${client.id}`, { body: { status: 'disabled' } });
      const disabled = await within(
        1000,
        async () => (await b.services.clients.byClientId(tenantId, client.clientId))?.status === 'disabled',
      );
      expect(disabled).toBeGreaterThanOrEqual(0);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
