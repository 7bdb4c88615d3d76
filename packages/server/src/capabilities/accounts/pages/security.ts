/**
 * The one page-security hook every hosted-page plugin registers: a fresh CSP nonce per response, a
 * strict Content-Security-Policy (no inline script at all; styles only from our own files and the one
 * nonce'd element carrying the tenant accent colour; images from us and the tenant logo's origin;
 * forms post only to us and the validated return target), `no-store`, `frame-ancestors 'none'`,
 * `Referrer-Policy: same-origin` (`no-referrer` makes Chromium send `Origin: null` on the pages' own form posts, which the CSRF check refuses) and friends (cf. hono `secure-headers`).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface PagePolicy {
  /** Extra `img-src` origins (the tenant logo). */
  imgSrc?: readonly string[];
  /** Extra `form-action` origins (a return target on another host: Chrome checks redirects too). */
  formAction?: readonly string[];
  /** `script-src` sources (asset hashes, `'self'`); none by default. */
  scriptSrc?: readonly string[];
  /** Extra `connect-src` (WebAuthn pages fetch their options). */
  connectSrc?: readonly string[];
}

const nonces = new WeakMap<FastifyRequest, string>();
const policies = new WeakMap<FastifyReply, PagePolicy>();

/** The CSP nonce of this request's page. */
export function pageNonce(request: FastifyRequest): string {
  let nonce = nonces.get(request);
  if (!nonce) {
    nonce = randomBytes(18).toString('base64');
    nonces.set(request, nonce);
  }
  return nonce;
}

/** Widens this response's CSP (never beyond the listed sources). */
export function setPagePolicy(reply: FastifyReply, policy: PagePolicy): void {
  policies.set(reply, policy);
}

const origin = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
};

export function contentSecurityPolicy(nonce: string, policy: PagePolicy = {}): string {
  const list = (base: string, extra: readonly string[] | undefined, asOrigins = true) =>
    [base, ...(extra ?? []).map((e) => (asOrigins ? origin(e) : e)).filter((e): e is string => !!e)].join(
      ' ',
    );
  return [
    "default-src 'none'",
    `script-src ${policy.scriptSrc?.length ? policy.scriptSrc.join(' ') : "'none'"}`,
    `style-src 'self' 'nonce-${nonce}'`,
    `img-src ${list("'self' data:", policy.imgSrc)}`,
    `connect-src ${list("'self'", policy.connectSrc)}`,
    `form-action ${list("'self'", policy.formAction)}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Installs the headers on every response of the context (pages, redirects and errors alike). A
 * document gets the full set; a JSON answer (the self-service API) needs no CSP or frame rules, only
 * `no-store` and `nosniff` — and skips the nonce and the policy string on that hot path.
 */
export function registerPageSecurity(app: FastifyInstance): void {
  // a callback hook, not an async one: it runs on every response of the context (hot path)
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    // an image (the tenant logo) sets its own cache and policy headers; nosniff it always gets
    if (typeof type === 'string' && type.startsWith('image/') && reply.statusCode === 200) {
      reply.header('x-content-type-options', 'nosniff');
      return done(null, payload);
    }
    reply.headers(COMMON);
    if (typeof type !== 'string' || !type.startsWith('application/')) {
      reply.headers(DOCUMENT);
      reply.header('content-security-policy', contentSecurityPolicy(pageNonce(request), policies.get(reply)));
    }
    done(null, payload);
  });
}

const COMMON = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts
  'referrer-policy': 'same-origin',
};
const DOCUMENT = {
  pragma: 'no-cache',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};
