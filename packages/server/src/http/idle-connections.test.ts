/**
 * The idle sweep (idle-connections.ts) on a real Node HTTP server: a response that stalls (no byte
 * either way) is cut after the idle time; one that keeps trickling stays open past it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeIdleConnections } from './idle-connections.ts';

const IDLE_MS = 400;
let server: Server | undefined;
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers) clearInterval(t);
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  closeIdleConnections(server, IDLE_MS);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Opens a connection, sends a GET and resolves with [ms until closed, bytes received]. */
function request(port: number): Promise<[number, number]> {
  return new Promise((resolve) => {
    const started = performance.now();
    let received = 0;
    const socket = connect({ port, host: '127.0.0.1' }, () =>
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    socket.on('data', (chunk) => {
      received += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve([performance.now() - started, received]));
  });
}

describe('idle connections', () => {
  it('closes a connection whose response stalls for the idle time', async () => {
    const port = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part, then nothing');
    });
    const [ms, bytes] = await request(port);
    expect(bytes).toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(ms).toBeLessThan(IDLE_MS + 1000);
  });

  it('keeps a connection that still moves bytes', async () => {
    const port = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const t = setInterval(() => {
        res.write('.');
        if (++n === 8) {
          clearInterval(t);
          res.end('done');
        }
      }, IDLE_MS / 4);
      timers.push(t);
    });
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      text += c;
    });
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await new Promise((r) => socket.on('close', r));
    // 8 × IDLE_MS/4 = twice the idle time, and the whole answer arrived
    expect(text).toMatch(/done/);
  });
});
