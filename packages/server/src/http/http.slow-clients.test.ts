/**
 * Slow clients are cut off, on a real socket (`net.connect` to an app listening on port 0), with
 * short test values for the four timeout settings: headers that never finish, a body that dribbles
 * in at a byte at a time (authenticated or not — an anonymous upload that already got its 401 does
 * not keep the connection), and an idle keep-alive connection. A normal request on the same server
 * is unaffected.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../test/runtime.ts';

const HEADERS_MS = 400;
const REQUEST_MS = 800;
const KEEP_ALIVE_MS = 300;
const IDLE_MS = 2000;

interface Conversation {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the milliseconds from connect to close. */
  closed: Promise<number>;
}

function open(port: number): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let data = '';
    const socket = connect({ port, host: '127.0.0.1' }, () =>
      resolve({ socket, received: () => data, closed }),
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', () => {});
    const closed = new Promise<number>((done) =>
      socket.on('close', () => done(Math.round(performance.now() - started))),
    );
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes or the text ends. */
async function dribble(c: Conversation, text: string, everyMs: number): Promise<void> {
  for (const ch of text) {
    if (c.socket.destroyed || c.socket.writableEnded) return;
    c.socket.write(ch);
    await sleep(everyMs);
  }
}

describe('slow clients on a real socket', () => {
  let t: TestRuntime;
  let port: number;
  let token: string;
  beforeAll(async () => {
    t = await createTestRuntime({
      env: {
        GATEKEEPER_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
        GATEKEEPER_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
        GATEKEEPER_HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
        GATEKEEPER_HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS),
      },
    });
    token = (
      await t.services.credentials.issue(
        { kind: 'adm', tenantId: null, ownerType: 'system', name: 'slow', abilities: ['*'] },
        { actor: 'test' },
      )
    ).secret;
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('closes a connection whose headers never finish', async () => {
    const c = await open(port);
    void dribble(c, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}`, 50);
    const after = await c.closed;
    expect(after).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(after).toBeLessThan(HEADERS_MS + 1500);
  });

  it('cuts off an authenticated body that dribbles in a byte at a time', async () => {
    const c = await open(port);
    const body = JSON.stringify({ slug: 'slowpoke', displayName: 'x'.repeat(100) });
    c.socket.write(
      `POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    void dribble(c, body, 50);
    const after = await c.closed;
    expect(after).toBeLessThan(REQUEST_MS + 1500);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(
      (await t.app.inject({ url: '/api/v1/tenants/slowpoke', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(404);
  });

  it('does not keep an anonymous slow upload open after answering 401', async () => {
    const c = await open(port);
    c.socket.write(
      'POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n',
    );
    void dribble(c, 'x'.repeat(5000), 50);
    const after = await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 401/);
    expect(after).toBeLessThan(REQUEST_MS + 1500);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const c = await open(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const after = await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(c.received()).toMatch(/keep-alive: timeout=\d/i);
    expect(after).toBeLessThan(KEEP_ALIVE_MS + 1500);
  });

  it('serves a normal request on the same server', async () => {
    const c = await open(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});
