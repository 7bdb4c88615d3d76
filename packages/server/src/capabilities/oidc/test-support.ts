/**
 * Test scaffolding of the oidc capability: a `fetch` that sends requests to a Fastify app through
 * `inject()` (openid-client's `customFetch`, jose's JWKS fetch), and a tenant with a confidential
 * service client, an API and a trust link between them.
 */
import * as oauth from 'openid-client';
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

/** A cookie jar over real HTTP (fetch, manual redirects): the browser of non-browser flows. */
export interface HttpAgent {
  cookies: Map<string, string>;
  request(url: string, init?: { method?: string; form?: Record<string, string> }): Promise<Response>;
}

export function createHttpAgent(origin: string): HttpAgent {
  const cookies = new Map<string, string>();
  return {
    cookies,
    async request(url, init = {}) {
      const headers: Record<string, string> = { accept: 'text/html' };
      if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined;
      if (init.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers.origin = origin;
        body = new URLSearchParams(init.form).toString();
      }
      const r = await fetch(new URL(url, origin), {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers,
        redirect: 'manual',
        ...(body !== undefined ? { body } : {}),
      });
      for (const line of r.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
      return r;
    },
  };
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/**
 * Drives an authorization request through the hosted sign-in and the consent page over real HTTP,
 * as a browser would (redirects, the meta refresh of the interaction's last page, the forms with
 * their CSRF tokens), until the provider redirects to `redirectUri`; returns that URL.
 */
export async function authorizeOverHttp(
  agent: HttpAgent,
  authorizationUrl: string,
  options: { redirectUri: string; login: string; password: string; consent?: 'allow' | 'deny' },
): Promise<URL> {
  let url = authorizationUrl;
  let signedIn = false;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(options.redirectUri)) return new URL(url);
    const r = await agent.request(url);
    const here = new URL(url, authorizationUrl).href;
    const location = r.headers.get('location');
    if (r.status >= 300 && r.status < 400 && location) {
      url = new URL(location, here).href;
      continue;
    }
    const page = await r.text();
    const refresh = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(page);
    if (refresh) {
      url = new URL(unescapeHtml(refresh[1]!), here).href;
      continue;
    }
    const form = /<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page);
    const csrf = form ? /name="csrf" value="([^"]+)"/.exec(form[2]!)?.[1] : undefined;
    if (!form || !csrf) throw new Error(`stuck at ${here} (${r.status}): ${page.slice(0, 600)}`);
    const action = new URL(unescapeHtml(form[1]!), here).href;
    let fields: Record<string, string>;
    if (form[2]!.includes('name="password"')) {
      if (signedIn) throw new Error(`asked to sign in twice at ${here}: ${page.slice(0, 600)}`);
      signedIn = true;
      const returnTo = /name="return_to" value="([^"]*)"/.exec(form[2]!)?.[1] ?? '';
      fields = { login: options.login, password: options.password, return_to: unescapeHtml(returnTo) };
    } else if (form[2]!.includes('name="decision"')) {
      fields = { decision: options.consent ?? 'allow' };
    } else throw new Error(`unexpected form at ${here}: ${page.slice(0, 600)}`);
    const posted = await agent.request(action, { form: { csrf: unescapeHtml(csrf), ...fields } });
    const to = posted.headers.get('location');
    if (posted.status >= 300 && posted.status < 400 && to) {
      url = new URL(to, action).href;
      continue;
    }
    const next = await posted.text();
    const again = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(next);
    if (!again) throw new Error(`the form at ${here} answered ${posted.status}: ${next.slice(0, 600)}`);
    url = new URL(unescapeHtml(again[1]!), action).href;
  }
  throw new Error('too many steps before the redirect URI');
}

/**
 * Authorization code + PKCE through the hosted sign-in over HTTP (openid-client builds the request);
 * the callback URL and the verifier, for `authorizationCodeGrant`.
 */
export async function authorizeWithPkce(
  config: oauth.Configuration,
  options: {
    base: string;
    redirectUri: string;
    login: string;
    password: string;
    params: Record<string, string>;
  },
): Promise<{ callback: URL; verifier: string }> {
  const verifier = oauth.randomPKCECodeVerifier();
  const url = oauth.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...options.params,
  });
  const callback = await authorizeOverHttp(createHttpAgent(options.base), url.href, options);
  return { callback, verifier };
}
