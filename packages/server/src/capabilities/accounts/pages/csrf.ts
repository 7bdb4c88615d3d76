/**
 * CSRF protection of every hosted form, two independent checks (cf. hono `middleware/csrf`):
 * 1. `Origin` must be present and equal this server's origin (the public URL's, or the one the
 *    request arrived on) — a cross-site form post carries the attacker's origin, or `null`;
 * 2. a per-form token: `<form>.<expiry>.<nonce>.<mac>`, HMAC-SHA256 under a key derived from the
 *    master keys, bound to a random per-browser cookie and to the form's name, valid for one hour and
 *    once (its nonce is claimed in the shared state, so a replayed post is refused on any instance).
 */
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomToken, safeEqual } from '../../../crypto/secret-token.ts';
import type { SharedState } from '../../../state/state.ts';
import { readCookie } from '../sessions.ts';
import { setCookie } from './cookies.ts';

export const CSRF_TTL_MS = 60 * 60_000;
const BINDING = /^[A-Za-z0-9_-]{22}$/;
const TOKEN = /^([a-z0-9-]{1,40})\.(\d{1,15})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

export type CsrfFailure = 'origin' | 'token';

export interface Csrf {
  /** A token for `form`, setting the browser-binding cookie when the browser has none. */
  token(request: FastifyRequest, reply: FastifyReply, form: string): string;
  /** A token for `form` bound to the browser cookie value `binding` (benchmarks and tests mint ahead). */
  mint(binding: string, form: string): string;
  /** The browser-binding cookie's name. */
  readonly cookieName: string;
  /** The Origin check alone: enough for a self-service API call with a non-simple method (DELETE),
   * which a cross-site page cannot send without a CORS preflight we never answer. */
  sameOrigin(request: FastifyRequest): boolean;
  /** Null when the post passes both checks, else which failed. Claims the token. */
  verify(request: FastifyRequest, form: string, token: unknown): Promise<CsrfFailure | null>;
}

export function createCsrf(deps: {
  /** Newest first; the first signs. */
  keys: () => readonly Buffer[];
  state: SharedState;
  secureCookies: () => boolean;
  publicOrigin: () => string;
  now?: () => number;
}): Csrf {
  const now = deps.now ?? Date.now;
  const cookieName = () => (deps.secureCookies() ? '__Host-gk_csrf' : 'gk_csrf');
  const bindingOf = new WeakMap<FastifyRequest, string>();
  const mac = (key: Buffer, binding: string, form: string, exp: string, nonce: string) =>
    createHmac('sha256', key).update(`${binding}|${form}|${exp}|${nonce}`).digest('base64url');

  function binding(request: FastifyRequest, reply: FastifyReply): string {
    const known = bindingOf.get(request) ?? readCookie(request.headers.cookie, cookieName());
    if (known && BINDING.test(known)) return known;
    const fresh = randomToken(16);
    bindingOf.set(request, fresh);
    setCookie(reply, cookieName(), fresh, { secure: deps.secureCookies() });
    return fresh;
  }

  function originOk(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || origin === 'null') return false;
    return origin === deps.publicOrigin() || origin === `${request.protocol}://${request.host}`;
  }

  function mint(b: string, form: string): string {
    const exp = String(now() + CSRF_TTL_MS);
    const nonce = randomToken(12);
    const [key] = deps.keys();
    if (!key) throw new Error('no CSRF key');
    return `${form}.${exp}.${nonce}.${mac(key, b, form, exp, nonce)}`;
  }

  return {
    token: (request, reply, form) => mint(binding(request, reply), form),
    mint,
    sameOrigin: originOk,
    get cookieName() {
      return cookieName();
    },
    async verify(request, form, token) {
      if (!originOk(request)) return 'origin';
      const b = readCookie(request.headers.cookie, cookieName());
      const m = typeof token === 'string' ? TOKEN.exec(token) : null;
      if (!m || !b || !BINDING.test(b)) return 'token';
      const [, f = '', exp = '', nonce = '', given = ''] = m;
      if (f !== form || Number(exp) <= now() || Number(exp) > now() + CSRF_TTL_MS) return 'token';
      if (!deps.keys().some((key) => safeEqual(mac(key, b, f, exp, nonce), given))) return 'token';
      const first = await deps.state.setIfAbsent(`csrf:${nonce}`, '1', CSRF_TTL_MS);
      return first ? null : 'token';
    },
  };
}
