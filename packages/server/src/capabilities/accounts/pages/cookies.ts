/**
 * Cookies of the hosted pages: `HttpOnly`, `SameSite=Lax`, `Path=/`; over https also `Secure` with
 * the `__Host-` name prefix (no Domain, so no subdomain can set or read them). Over plain http —
 * allowed only for localhost development — the prefix and `Secure` are dropped.
 */
import type { FastifyReply } from 'fastify';

export interface CookieOptions {
  secure: boolean;
  /** Seconds; omitted: a browser-session cookie; 0: delete. */
  maxAge?: number;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  return parts.join('; ');
}

/**
 * Adds a Set-Cookie header (several may be set on one reply); one set earlier on this reply under the
 * same name is replaced, so a reply never carries two values for one cookie. (Fastify's
 * `reply.header('set-cookie', …)` appends to what is there, hence the remove and set.)
 */
export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const existing = reply.getHeader('set-cookie');
  const prefix = `${name}=`;
  const kept = (existing === undefined ? [] : Array.isArray(existing) ? existing : [existing])
    .map(String)
    .filter((c) => !c.startsWith(prefix));
  reply.removeHeader('set-cookie');
  reply.header('set-cookie', [...kept, serializeCookie(name, value, options)]);
}

export function clearCookie(reply: FastifyReply, name: string, secure: boolean): void {
  setCookie(reply, name, '', { secure, maxAge: 0 });
}
