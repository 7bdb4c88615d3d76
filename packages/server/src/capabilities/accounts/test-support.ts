/**
 * Test helpers for the hosted pages over `app.inject()`: a tiny browser (cookie jar, Origin header,
 * the CSRF token read from the served form) and a tenant with a user who has a password.
 */
import type { App } from '../../app.ts';
import type { Services } from '../../services.ts';

export const ORIGIN = 'http://localhost:80';
export const PASSWORD = 'violet tractor sings at dawn';

export interface PageResponse {
  status: number;
  body: string;
  location: string | undefined;
  headers: Record<string, unknown>;
}

export interface TestBrowser {
  cookies: Map<string, string>;
  get(url: string): Promise<PageResponse>;
  post(
    url: string,
    form: Record<string, string>,
    options?: { origin?: string | null },
  ): Promise<PageResponse>;
  /** GET the page, then post its form (named by action) with the page's CSRF token plus `fields`. */
  submit(
    pageUrl: string,
    fields: Record<string, string>,
    options?: { origin?: string | null; action?: string },
  ): Promise<PageResponse>;
  cookieHeader(): string;
}

/** The first `name=value` hidden input value in the form posting to `action` (or any form). */
export function csrfOf(body: string, action?: string): string {
  const forms = body.split('<form').slice(1);
  const form = action ? forms.find((f) => f.includes(`action="${action}"`)) : forms[0];
  const m = /name="csrf" value="([^"]+)"/.exec(form ?? '');
  if (!m?.[1]) throw new Error(`no CSRF token in the form ${action ?? ''}`);
  return m[1];
}

export function createTestBrowser(app: App, options: { userAgent?: string; ip?: string } = {}): TestBrowser {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const absorb = (headers: Record<string, unknown>) => {
    const set = headers['set-cookie'];
    const named = new Set<string>();
    for (const line of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair = '', ...attrs] = String(line).split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      // every test checks this: one response never sets one cookie twice
      if (named.has(name)) throw new Error(`the response sets cookie ${name} twice: ${String(set)}`);
      named.add(name);
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0') || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  };
  const toResponse = (r: {
    statusCode: number;
    body: string;
    headers: Record<string, unknown>;
  }): PageResponse => {
    absorb(r.headers);
    return {
      status: r.statusCode,
      body: r.body,
      location: r.headers.location as string | undefined,
      headers: r.headers,
    };
  };
  const common = () => ({
    'user-agent': options.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36',
    accept: 'text/html',
    ...(cookies.size ? { cookie: cookieHeader() } : {}),
  });
  const browser: TestBrowser = {
    cookies,
    cookieHeader,
    async get(url) {
      return toResponse(
        await app.inject({ method: 'GET', url, headers: common(), remoteAddress: options.ip ?? '127.0.0.1' }),
      );
    },
    async post(url, form, opts = {}) {
      const origin = opts.origin === undefined ? ORIGIN : opts.origin;
      return toResponse(
        await app.inject({
          method: 'POST',
          url,
          headers: {
            ...common(),
            'content-type': 'application/x-www-form-urlencoded',
            ...(origin ? { origin } : {}),
          },
          payload: new URLSearchParams(form).toString(),
          remoteAddress: options.ip ?? '127.0.0.1',
        }),
      );
    },
    async submit(pageUrl, fields, opts = {}) {
      const page = await browser.get(pageUrl);
      const action = opts.action ?? pageUrl.split('?')[0];
      const csrf = csrfOf(page.body, action);
      const hidden = /name="return_to" value="([^"]*)"/.exec(page.body)?.[1];
      return browser.post(
        action as string,
        { csrf, ...(hidden !== undefined ? { return_to: decodeHtml(hidden) } : {}), ...fields },
        opts,
      );
    },
  };
  return browser;
}

export function decodeHtml(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** Creates a tenant (if needed) and a user with PASSWORD; returns ids. */
export async function seedUser(
  services: Services,
  slug: string,
  username: string,
  extra: { email?: string; name?: string } = {},
): Promise<{ tenantId: string; userId: string }> {
  const ctx = { actor: 'test' };
  const tenant = await services.tenants.resolve(slug).catch(async () => {
    await services.tenants.create({ slug, displayName: `${slug} Inc.` }, ctx);
    return services.tenants.resolve(slug);
  });
  const user = await services.users.create(tenant.id, { username, ...extra, password: PASSWORD }, ctx);
  return { tenantId: tenant.id, userId: user.id };
}
