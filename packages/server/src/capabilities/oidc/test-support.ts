/**
 * Test scaffolding of the oidc capability: a `fetch` that sends requests to a Fastify app through
 * `inject()` (openid-client's `customFetch`, jose's JWKS fetch), and a tenant with a confidential
 * service client, an API and a trust link between them.
 */
import type { App } from '../../app.ts';
import type { Services } from '../../services.ts';
import type { CreateClientInput } from '../clients/schemas.ts';

const SYSTEM = { actor: 'system' };

/** A WHATWG fetch served by `app.inject()` (no port, no network). */
export function injectFetch(app: App): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const r = await app.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers,
      ...(body ? { payload: body } : {}),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(r.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [String(v)]) out.append(k, one);
    }
    const status = r.statusCode;
    return new Response([101, 204, 205, 304].includes(status) ? null : r.rawPayload, {
      status,
      headers: out,
    });
  }) as typeof fetch;
}

export interface ServiceSetup {
  tenantId: string;
  slug: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  clientRecordId: string;
  audience: string;
  trustId: string;
  /** The resource server's own confidential client (it introspects the tokens it receives). */
  introspector: { clientId: string; clientSecret: string };
}

/** A tenant, a confidential client (client_credentials), an API and a trust link (scopes given). */
export async function setUpService(
  services: Services,
  options: { slug: string; tokenFormat?: 'jwt' | 'opaque'; scopes?: string[]; delegation?: boolean },
): Promise<ServiceSetup> {
  const tenant = await services.tenants.create({ slug: options.slug, displayName: options.slug }, SYSTEM);
  const { client, clientSecret } = await services.clients.create(
    tenant.id,
    { name: 'billing', grantTypes: ['client_credentials'] as CreateClientInput['grantTypes'], scopes: [] },
    SYSTEM,
  );
  const audience = `https://api.${options.slug}.example/`;
  await services.oidc.resources.createResource(
    tenant.id,
    {
      identifier: audience,
      scopes: options.scopes ?? ['orders:read', 'orders:write'],
      tokenFormat: options.tokenFormat ?? 'jwt',
    },
    SYSTEM,
  );
  const trust = await services.oidc.resources.createTrust(
    tenant.id,
    {
      client: client.id,
      resourceServer: audience,
      scopes: ['orders:read'],
      delegation: options.delegation ?? false,
    },
    SYSTEM,
  );
  const rs = await services.clients.create(
    tenant.id,
    { name: 'orders-api', grantTypes: ['client_credentials'] as CreateClientInput['grantTypes'], scopes: [] },
    SYSTEM,
  );
  return {
    introspector: { clientId: rs.client.clientId, clientSecret: rs.clientSecret! },
    tenantId: tenant.id,
    slug: options.slug,
    issuer: services.oidc.issuerOf(options.slug),
    clientId: client.clientId,
    clientSecret: clientSecret!,
    clientRecordId: client.id,
    audience,
    trustId: trust.id,
  };
}
