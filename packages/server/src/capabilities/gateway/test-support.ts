/**
 * Test helpers for the gateway: ask `/authz` the way nginx does (inject), and set up a tenant with a
 * client, an HMAC secret, routes and grants through the services.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../app.ts';
import type { Services } from '../../services.ts';

export interface Ask {
  method?: string;
  host?: string;
  uri?: string;
  headers?: Record<string, string>;
  /** The peer address the request comes from (default loopback: a trusted forwarder). */
  peer?: string;
}

/** `GET /t/<slug>/authz` with nginx's X-Original-* headers. */
export function askNginx(app: App, slug: string, a: Ask = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'GET',
    url: slug === 'root' ? '/authz' : `/t/${slug}/authz`,
    remoteAddress: a.peer ?? '127.0.0.1',
    headers: {
      'x-original-method': a.method ?? 'GET',
      'x-original-host': a.host ?? 'api.example.com',
      'x-original-uri': a.uri ?? '/',
      'x-forwarded-proto': 'https',
      ...a.headers,
    },
  });
}

export const ctx = { actor: 'test' };

/** A tenant with a service client (and its HMAC secret and a service token), ready for routes. */
export async function gatewayTenant(services: Services, slug: string) {
  const tenant = await services.tenants.create({ slug, displayName: slug }, ctx);
  const tenantId = tenant.id;
  const { client } = await services.clients.create(tenantId, { name: `${slug}-svc` }, ctx);
  const hmac = await services.gateway.hmacSecrets.create(tenantId, client.id, {}, ctx);
  const svc = await services.apiTokens.create(
    tenantId,
    { owner: { type: 'client', id: client.id }, name: 'svc', scopes: ['datasets:read'] },
    ctx,
  );
  return {
    tenantId,
    slug,
    client,
    hmacSecret: hmac.secret,
    serviceToken: svc.secret,
    serviceTokenId: svc.token.id,
    route: (host: string, path: string, auth: Record<string, string[]>) =>
      services.gateway.config.createRoute(tenantId, { host, path, auth }, ctx),
    grantClient: (routeId: string, methods: string[], scopes: string[] = []) =>
      services.gateway.config.grant(
        tenantId,
        { routeId, subjectType: 'client', subject: client.id, methods, scopes },
        ctx,
      ),
  };
}
