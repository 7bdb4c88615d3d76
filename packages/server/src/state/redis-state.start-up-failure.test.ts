/**
 * What an operator sees when GATEKEEPER_REDIS_URL points nowhere useful: creation rejects quickly
 * (within connectTimeoutMs even when the server accepts and stays silent), names the setting and
 * host:port, and never echoes the password. Needs no running Redis, so it runs everywhere.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRedisState } from './redis-state.ts';

describe('createRedisState start-up failures', () => {
  it('rejects quickly for a closed port, naming GATEKEEPER_REDIS_URL but never the password', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    const failure = createRedisState({ url: `redis://:secretpw@127.0.0.1:${port}`, prefix: 'gk:' });
    await expect(failure).rejects.toThrow(
      `GATEKEEPER_REDIS_URL: cannot connect to Redis at 127.0.0.1:${port}`,
    );
    await expect(failure).rejects.not.toThrow(/secretpw/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('rejects within connectTimeoutMs when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const started = Date.now();
    const url = `redis://gk:secretpw@127.0.0.1:${port}`;
    const failure = createRedisState({ url, prefix: 'gk:', connectTimeoutMs: 300 });
    await expect(failure).rejects.toThrow(/GATEKEEPER_REDIS_URL.*127\.0\.0\.1/);
    await expect(failure).rejects.not.toThrow(/secretpw/);
    expect(Date.now() - started).toBeLessThan(1500);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('rejects a malformed or non-Redis URL without echoing it', async () => {
    for (const url of ['redis://:secretpw@[bad', 'http://:secretpw@127.0.0.1:6379']) {
      const failure = createRedisState({ url, prefix: 'gk:' });
      await expect(failure).rejects.toThrow(/^GATEKEEPER_REDIS_URL: /);
      await expect(failure).rejects.not.toThrow(/secretpw/);
    }
  });
});
