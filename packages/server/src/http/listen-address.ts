/**
 * Takes the listen address before start-up writes anything: a port another program holds, a host
 * that is not this machine's, or a port the process may not bind must stop start-up before the
 * database, the key file, the migrations or a setup link exist — with one line naming the setting.
 * The reserved socket is held while start-up runs (a second instance cannot take the port
 * meanwhile) and released just before the server listens on the same host and port.
 */
import { createServer } from 'node:net';
import { ConfigError } from '../errors/app-error.ts';

export interface ListenReservation {
  /** The reserved port (the one the system picked when the configured port is 0). */
  readonly port: number;
  /** Frees the address for the server to listen on. Idempotent. */
  release(): Promise<void>;
}

/** How the operator named the host and port settings (`GATEKEEPER_PORT`, `--port`, …). */
export interface ListenSettingNames {
  host: string;
  port: string;
}

/** `host:port`, with IPv6 addresses bracketed. */
function addressOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Turns a listen error into a ConfigError naming the setting to change, or returns undefined for an
 * error that is not about the address.
 *
 * @example
 * listenError(err, '127.0.0.1', 8080, names)?.message; // 'GATEKEEPER_PORT: 127.0.0.1:8080 is already in use'
 */
export function listenError(
  err: unknown,
  host: string,
  port: number,
  names: ListenSettingNames,
): ConfigError | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const at = addressOf(host, port);
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigError(names.port, `${at} is already in use`);
    case 'EACCES':
    case 'EPERM':
      return new ConfigError(
        names.port,
        `not permitted to listen on ${at}${port < 1024 ? ' (ports below 1024 need privileges)' : ''}`,
      );
    case 'EADDRNOTAVAIL':
      return new ConfigError(names.host, `${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new ConfigError(names.host, `cannot resolve "${host}"`);
    default:
      return undefined;
  }
}

/**
 * Binds host:port and holds it until `release()`. Rejects with a ConfigError naming the setting when
 * the address cannot be taken.
 *
 * @example
 * const reservation = await reserveListenAddress('127.0.0.1', 8080, names);
 * // … open the database, migrate …
 * await reservation.release();
 * await app.listen({ host: '127.0.0.1', port: reservation.port });
 */
export async function reserveListenAddress(
  host: string,
  port: number,
  names: ListenSettingNames,
): Promise<ListenReservation> {
  const server = createServer((socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw listenError(err, host, port, names) ?? err;
  }
  const bound = server.address();
  let released: Promise<void> | undefined;
  return {
    port: typeof bound === 'object' && bound !== null ? bound.port : port,
    release() {
      released ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return released;
    },
  };
}
