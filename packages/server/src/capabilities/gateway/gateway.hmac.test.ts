/**
 * The `hmac` mode through `/authz`: requests signed by the client SDK (RFC 9421 and the
 * `Authorization: HMAC` scheme) are allowed; a replayed nonce, a skewed clock, a changed body digest,
 * an uncovered component, garbage / truncated / duplicated Signature and Signature-Input headers, an
 * unknown key and a revoked secret are refused with their reasons. Rotation: two live secrets both
 * sign, a third is refused. The server's signature base matches RFC 9421 B.2.5.
 */
import { readFileSync } from 'node:fs';
import { parseDictionary } from 'structured-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../../client/src/request-signer.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { signatureBase } from './signatures/rfc9421.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`/authz hmac [${dialect}]`, () => {
    let t: TestRuntime;
    let g: Awaited<ReturnType<typeof gatewayTenant>>;

    beforeAll(async () => {
      t = await createTestRuntime({ dialect, redis: dialect === 'postgres' });
      g = await gatewayTenant(t.services, 'acme');
      const route = await g.route('api.example.com', '/v1/*', { '*': ['hmac'] });
      await g.grantClient(route.id, ['*']);
    });
    afterAll(async () => {
      await t?.close();
    });

    const url = 'https://api.example.com/v1/items?x=1&y=%2F';
    const sign = (
      o: { scheme?: 'rfc9421' | 'hmac'; now?: Date; body?: string; method?: string; secret?: string } = {},
    ) =>
      signRequest(
        { method: o.method ?? 'POST', url, body: o.body ?? '{"a":1}' },
        { keyId: g.client.clientId, secret: o.secret ?? g.hmacSecret },
        { ...(o.scheme ? { scheme: o.scheme } : {}), ...(o.now ? { now: o.now } : {}) },
      );
    const ask = (headers: Record<string, string>, method = 'POST', uri = '/v1/items?x=1&y=%2F') =>
      askNginx(t.app, 'acme', { method, uri, headers });
    const reasonOf = (r: { statusCode: number; headers: Record<string, unknown> }) => [
      r.statusCode,
      r.headers['x-authz-reason'],
    ];

    for (const scheme of ['rfc9421', 'hmac'] as const) {
      it(`allows a ${scheme} signed request once; the replay is refused`, async () => {
        const headers = await sign({ scheme });
        const first = await ask(headers);
        expect(first.statusCode, first.body).toBe(200);
        expect(first.headers['x-client-id']).toBe(g.client.clientId);
        expect(reasonOf(await ask(headers))).toEqual([401, 'nonce_replayed']);
      });

      it(`refuses a ${scheme} signature from a skewed clock`, async () => {
        const headers = await sign({ scheme, now: new Date(Date.now() - 301_000) });
        expect(reasonOf(await ask(headers))).toEqual([401, 'clock_skew']);
        const ahead = await sign({ scheme, now: new Date(Date.now() + 400_000) });
        expect(reasonOf(await ask(ahead))).toEqual([401, 'clock_skew']);
      });

      it(`refuses a ${scheme} request whose body digest was changed`, async () => {
        const headers = await sign({ scheme });
        const other = await sign({ scheme, body: '{"a":2}' });
        expect(reasonOf(await ask({ ...headers, 'content-digest': other['content-digest']! }))).toEqual([
          401,
          'bad_signature',
        ]);
        expect(reasonOf(await ask({ ...headers, 'content-digest': 'sha-256=:short:' }))).toEqual([
          401,
          'bad_content_digest',
        ]);
      });

      it(`refuses a ${scheme} request to another method or target`, async () => {
        const headers = await sign({ scheme });
        expect(reasonOf(await ask(headers, 'PUT'))).toEqual([401, 'bad_signature']);
        expect(reasonOf(await ask(headers, 'POST', '/v1/items?x=2&y=%2F'))).toEqual([401, 'bad_signature']);
      });
    }

    it('refuses a forwarded body that does not match its digest (Envoy with_request_body)', async () => {
      const headers = await sign({ method: 'POST' });
      const r = await t.app.inject({
        method: 'POST',
        url: '/t/acme/authz/v1/items?x=1&y=%2F',
        headers: {
          ...headers,
          host: 'api.example.com',
          'x-forwarded-proto': 'https',
          'content-type': 'application/json',
        },
        payload: '{"a":999}',
      });
      expect(reasonOf(r)).toEqual([401, 'bad_content_digest']);
      const ok = await sign({ method: 'POST' });
      const r2 = await t.app.inject({
        method: 'POST',
        url: '/t/acme/authz/v1/items?x=1&y=%2F',
        headers: {
          ...ok,
          host: 'api.example.com',
          'x-forwarded-proto': 'https',
          'content-type': 'application/grpc',
        },
        payload: '{"a":1}',
      });
      expect(r2.statusCode, r2.body).toBe(200);
    });

    it.each([
      [
        'garbage Signature-Input',
        { 'signature-input': '(((', signature: 'sig=:AAAA:' },
        'malformed_signature',
      ],
      ['garbage Signature', { signature: 'sig=not bytes' }, 'malformed_signature'],
      ['truncated Signature', { signature: 'sig=:AAAA' }, 'malformed_signature'],
      [
        'an uncovered component',
        {
          'signature-input':
            'sig=("@method" "@authority" "@path");created=NOW;keyid="K";nonce="nnnnnnnnnnnnnnnnnnnn"',
        },
        'missing_signed_component',
      ],
      [
        'another algorithm',
        {
          'signature-input':
            'sig=("@method" "@authority" "@path" "@query" "content-digest");created=NOW;keyid="K";nonce="nnnnnnnnnnnnnnnnnnnn";alg="ed25519"',
        },
        'unsupported_signature',
      ],
      [
        'an unknown key',
        {
          'signature-input':
            'sig=("@method" "@authority" "@path" "@query" "content-digest");created=NOW;keyid="nobody";nonce="nnnnnnnnnnnnnnnnnnnn"',
        },
        'unknown_key',
      ],
      [
        'a short nonce',
        {
          'signature-input':
            'sig=("@method" "@authority" "@path" "@query" "content-digest");created=NOW;keyid="K";nonce="x"',
        },
        'malformed_nonce',
      ],
      ['an oversize Signature', { signature: `sig=:${'A'.repeat(5000)}:` }, 'malformed_signature'],
    ])('refuses %s', async (_name, patch, reason) => {
      const headers = await sign();
      const fixed = Object.fromEntries(
        Object.entries(patch).map(([k, v]) => [
          k,
          v.replace('NOW', String(Math.floor(Date.now() / 1000))).replace('"K"', `"${g.client.clientId}"`),
        ]),
      );
      expect(reasonOf(await ask({ ...headers, ...fixed }))).toEqual([401, reason]);
    });

    it.each([
      ['garbage', 'HMAC !!!', 'malformed_authorization'],
      [
        'a missing signature',
        'HMAC client_id="a",timestamp="1",nonce="nnnnnnnnnnnnnnnnnnnn"',
        'malformed_authorization',
      ],
      [
        'a repeated parameter',
        'HMAC client_id="a",client_id="b",timestamp="1",nonce="x",signature="00"',
        'malformed_authorization',
      ],
    ])('refuses an HMAC Authorization with %s', async (_name, authorization, reason) => {
      const headers = await sign({ scheme: 'hmac' });
      expect(reasonOf(await ask({ ...headers, authorization }))).toEqual([401, reason]);
    });

    it('refuses duplicated Signature-Input headers', async () => {
      const headers = await sign();
      const r = await t.app.inject({
        url: '/t/acme/authz',
        headers: {
          'x-original-method': 'POST',
          'x-original-host': 'api.example.com',
          'x-original-uri': '/v1/items?x=1&y=%2F',
          'x-forwarded-proto': 'https',
          ...headers,
          'signature-input': [headers['signature-input']!, headers['signature-input']!] as never,
        },
      });
      expect(reasonOf(r)).toEqual([401, 'duplicate_credentials']);
    });

    it('rotates: two live secrets both sign, a third is refused, a revoked one stops at once', async () => {
      const second = await t.services.gateway.hmacSecrets.create(g.tenantId, g.client.id, {}, ctx);
      await expect(
        t.services.gateway.hmacSecrets.create(g.tenantId, g.client.id, {}, ctx),
      ).rejects.toMatchObject({
        code: 'hmac_secret_limit',
      });
      expect((await ask(await sign({ secret: second.secret }))).statusCode).toBe(200);
      expect((await ask(await sign())).statusCode).toBe(200);
      const listed = await t.services.gateway.hmacSecrets.list(g.tenantId, g.client.id);
      const first = listed.find((s) => s.id !== second.hmacSecret.id)!;
      await t.services.gateway.hmacSecrets.revoke(g.tenantId, g.client.id, first.id, ctx);
      expect(reasonOf(await ask(await sign()))).toEqual([401, 'bad_signature']);
      expect((await ask(await sign({ secret: second.secret }))).statusCode).toBe(200);
      const row = await t.runtime.database.db
        .selectFrom('gateway_hmac_secrets')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(row.secret).not.toContain('gk_hms_');
    });

    it('builds the RFC 9421 B.2.5 signature base', () => {
      const v = JSON.parse(
        readFileSync(
          new URL('../../../../../../shared/vectors/httpsig/rfc9421_hmac.json', import.meta.url),
          'utf8',
        ),
      ) as {
        test_request: { headers: Record<string, string> };
        b2_5_hmac_sha256: { signature_input_header: string; signature_base: string };
      };
      const input = parseDictionary(v.b2_5_hmac_sha256.signature_input_header).get('sig-b25') as never;
      const headers = Object.fromEntries(
        Object.entries(v.test_request.headers).map(([k, x]) => [k.toLowerCase(), x]),
      );
      const base = signatureBase(
        {
          method: 'POST',
          host: 'example.com',
          proto: 'https',
          rawPath: '/foo',
          rawQuery: 'param=Value&Pet=dog',
          headers,
        },
        input,
      );
      expect(base).toBe(v.b2_5_hmac_sha256.signature_base);
    });
  });
}
