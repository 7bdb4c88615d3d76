/**
 * Closes a connection that has seen no traffic at all for `idleMs` (`httpIdleTimeoutMs`): a client
 * that stops reading a response, or opens a socket and goes quiet between requests past the
 * keep-alive timeout of a proxy that forgot it.
 *
 * Node's own way, `socket.setTimeout` (Fastify's `connectionTimeout`), re-arms a timer on every read
 * and every write of every socket: a fifth of `/healthz`'s cost under load (issue 6 §9). Here one
 * interval per server looks at each open socket's byte counters instead: a socket whose bytes read
 * and written have not moved for `idleMs` is destroyed. The cost is per connection (a map entry and a
 * `close` listener), not per request; a socket is cut between `idleMs` and `idleMs` + one sweep.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface Seen {
  /** bytes read + bytes written at the last sweep that saw them change */
  bytes: number;
  /** when they last changed (ms) */
  at: number;
}

export function closeIdleConnections(server: Server, idleMs: number): void {
  const open = new Map<Socket, Seen>();
  server.on('connection', (socket: Socket) => {
    open.set(socket, { bytes: 0, at: Date.now() });
    socket.once('close', () => open.delete(socket));
  });
  const every = Math.min(1000, Math.max(25, Math.floor(idleMs / 4)));
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, seen] of open) {
      const bytes = socket.bytesRead + socket.bytesWritten;
      if (bytes !== seen.bytes) {
        seen.bytes = bytes;
        seen.at = now;
      } else if (now - seen.at >= idleMs) {
        open.delete(socket);
        socket.destroy();
      }
    }
  }, every);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
}
