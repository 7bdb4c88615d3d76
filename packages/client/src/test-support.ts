/**
 * Test support: a real Gatekeeper server (the server package's admin test app) listening on an
 * ephemeral local port, and a client pointed at it with the root token. Tests talk real HTTP.
 */
import { type AdminTestApp, createAdminTestApp } from '../../server/test/admin.ts';
import { type AdminClient, type AdminClientOptions, createAdminClient } from './admin-client.ts';

export interface LiveServer {
  t: AdminTestApp;
  /** e.g. `http://127.0.0.1:41234` */
  baseUrl: string;
  /** A client holding the root (all-tenant, `*`) token. */
  admin: AdminClient;
  /** A client for the same server with other options (token defaults to the root token). */
  client(options?: Partial<AdminClientOptions>): AdminClient;
  close(): Promise<void>;
}

export async function startLiveServer(): Promise<LiveServer> {
  const t = await createAdminTestApp();
  const baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const client = (options: Partial<AdminClientOptions> = {}) =>
    createAdminClient({ baseUrl, token: t.rootToken, ...options });
  return { t, baseUrl, admin: client(), client, close: () => t.close() };
}

/** A fetch that counts the calls it passes on to the global fetch (no mocking: it really sends). */
export function countingFetch(): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return fetch(input, init);
    },
  };
}
