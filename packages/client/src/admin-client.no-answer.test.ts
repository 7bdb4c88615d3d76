/**
 * Calls that get no usable answer fail with a `GatekeeperRequestError` saying why — timeout (no
 * response, or a body that never ends), refused connection, caller's abort, a success that is not
 * JSON — and an error answer that is not a problem document still becomes a `GatekeeperApiError`
 * (`unexpected_response`). The peers are bare `node:http` servers misbehaving on purpose.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminClient } from './admin-client.ts';
import { isGatekeeperApiError } from './problem-error.ts';
import { GatekeeperRequestError, isGatekeeperRequestError } from './request-error.ts';

const TOKEN = `gk_adm_${'s'.repeat(40)}`;
const servers: Server[] = [];

async function peer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('no usable answer', () => {
  it('times out against a server that never answers, with a clear error', async () => {
    let received = 0;
    const baseUrl = await peer(() => {
      received++; // hold the request: never respond
    });
    const admin = createAdminClient({ baseUrl, token: TOKEN, timeoutMs: 200 });
    const started = Date.now();
    const err = await failure(admin.tenants.get('acme'));
    const elapsed = Date.now() - started;

    expect(received).toBe(1);
    expect(err).toBeInstanceOf(GatekeeperRequestError);
    expect(isGatekeeperRequestError(err, 'timeout')).toBe(true);
    expect((err as Error).message).toBe(`GET ${baseUrl}/api/v1/tenants/acme timed out after 200 ms`);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(5_000);
    expect(inspect(err, { depth: 10 })).not.toContain(TOKEN);
  });

  it('times out when the headers arrive but the body never ends', async () => {
    const baseUrl = await peer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
    });
    const admin = createAdminClient({ baseUrl, token: TOKEN, timeoutMs: 200 });
    const err = await failure(admin.request('GET', '/api/v1/tenants'));
    expect(isGatekeeperRequestError(err, 'timeout')).toBe(true);
  });

  it('reports a refused connection as a network failure', async () => {
    const baseUrl = await peer(() => {});
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(createAdminClient({ baseUrl, token: TOKEN }).tenants.get('acme'));
    expect(isGatekeeperRequestError(err, 'network')).toBe(true);
    expect((err as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/tenants\/acme failed: .*ECONNREFUSED/,
    );
    expect((err as Error).cause).toBeDefined();
  });

  it("reports the caller's abort as aborted, not as a timeout", async () => {
    const baseUrl = await peer(() => {});
    const admin = createAdminClient({ baseUrl, token: TOKEN, timeoutMs: 10_000 });
    const controller = new AbortController();
    const call = failure(admin.request('GET', '/api/v1/tenants', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(isGatekeeperRequestError(await call, 'aborted')).toBe(true);
  });

  it('turns an error answer without a problem document into unexpected_response', async () => {
    const baseUrl = await peer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'proxy-7' });
      res.end('<html>Bad Gateway</html>');
    });
    const err = await failure(createAdminClient({ baseUrl, token: TOKEN }).tenants.get('acme'));
    expect(isGatekeeperApiError(err, 'unexpected_response')).toBe(true);
    expect(err).toMatchObject({ status: 502, title: 'Bad Gateway', requestId: 'proxy-7' });
  });

  it('refuses a success answer that is not JSON', async () => {
    const baseUrl = await peer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    const err = await failure(createAdminClient({ baseUrl, token: TOKEN }).tenants.get('acme'));
    expect(isGatekeeperRequestError(err, 'invalid_response')).toBe(true);
  });

  it('stops paginating when an answer is not a page', async () => {
    const baseUrl = await peer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const pages = createAdminClient({ baseUrl, token: TOKEN }).paginate('/api/v1/tenants');
    const err = await failure(pages[Symbol.asyncIterator]().next());
    expect(isGatekeeperRequestError(err, 'invalid_response')).toBe(true);
  });

  it('does not follow a redirect with the credential', async () => {
    let redirectedTo = 0;
    const target = await peer((_req, res) => {
      redirectedTo++;
      res.end('{}');
    });
    const baseUrl = await peer((_req, res) => {
      res.writeHead(307, { location: `${target}/api/v1/tenants/acme` });
      res.end();
    });
    const err = await failure(createAdminClient({ baseUrl, token: TOKEN }).tenants.get('acme'));
    expect(isGatekeeperRequestError(err, 'invalid_response')).toBe(true);
    expect((err as Error).message).toContain(`was redirected to ${target}/api/v1/tenants/acme`);
    expect(redirectedTo).toBe(0);
  });
});
