/**
 * Where a browser may be sent after signing in (`return_to`): this tenant's own hosted pages (a path
 * under `/t/<slug>/`, or the same as an absolute URL on the public origin) — never an open redirect.
 * Other capabilities widen it through `allowReturnTo` checks (the OIDC provider's interaction URLs,
 * the gateway's protected hosts via `services.gateway.checkReturnUrl`): each answers the normalized
 * URL to use, or null to pass.
 */

/** Answers the URL to redirect to (normalized), or null when this check does not allow it. */
export type ReturnToCheck = (tenant: { id: string; slug: string }, url: string) => Promise<string | null>;

export interface ReturnToPolicy {
  /** The safe target for `url`, or the tenant's account page when `url` is absent or not allowed. */
  resolve(tenant: { id: string; slug: string }, url: string | undefined): Promise<string>;
  /** Like resolve, but null when not allowed (to tell the caller). */
  check(tenant: { id: string; slug: string }, url: string): Promise<string | null>;
  /** Adds a check (OIDC interactions, gateway hosts). */
  allow(check: ReturnToCheck): void;
}

const MAX_RETURN_TO = 2048;

/** A path of this tenant's pages, or null: `/t/<slug>/…`, no `//`, no backslash, no control character. */
export function ownPage(slug: string, url: string, publicOrigin: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (url.length === 0 || url.length > MAX_RETURN_TO || /[\\\u0000-\u001f\u007f]/.test(url)) return null;
  let target: URL;
  try {
    target = new URL(url, `${publicOrigin}/`);
  } catch {
    return null;
  }
  if (target.origin !== publicOrigin) return null;
  if (!url.startsWith('/') && !url.startsWith(`${publicOrigin}/`)) return null;
  if (url.startsWith('//')) return null;
  const prefix = `/t/${slug}/`;
  if (!target.pathname.startsWith(prefix) || target.pathname.includes('/../')) return null;
  return `${target.pathname}${target.search}`;
}

export function createReturnToPolicy(publicUrl: () => string): ReturnToPolicy {
  const checks: ReturnToCheck[] = [];
  async function check(tenant: { id: string; slug: string }, url: string): Promise<string | null> {
    if (typeof url !== 'string' || url.length > MAX_RETURN_TO) return null;
    const own = ownPage(tenant.slug, url, new URL(publicUrl()).origin);
    if (own) return own;
    for (const c of checks) {
      const allowed = await c(tenant, url).catch(() => null);
      if (allowed) return allowed;
    }
    return null;
  }
  return {
    check,
    async resolve(tenant, url) {
      const fallback = `/t/${tenant.slug}/account`;
      if (!url) return fallback;
      return (await check(tenant, url)) ?? fallback;
    },
    allow(c) {
      checks.push(c);
    },
  };
}
