/**
 * Reads the original request's target and host as a proxy reports them, refusing what upstreams
 * would read differently from us (issue 11, "path tricks"). The path is matched on decoded segments,
 * so `/api/%75sers` is `/api/users` — but a path is refused (never guessed at) when it holds:
 * dot segments (`..`, `.`, `%2e%2e`, `..;`), empty segments (`//`, which nginx merges), encoded
 * slashes or backslashes (`%2f`, `%5c`, `\`), `;` (Tomcat strips path parameters: `/admin;x`),
 * NUL or control bytes, double encoding (`%252e`), invalid percent-encoding or UTF-8, a fragment,
 * or a target that is not origin-form. The query is never part of matching, so a query that looks
 * like a path (`/public?/../admin`) changes nothing. A trailing slash is kept: `/a/` is not `/a`.
 */
import { isHostName } from './patterns.ts';

export interface ParsedTarget {
  /** The raw path (percent-encoding kept), without the query. */
  rawPath: string;
  /** The raw query without `?`, or null when there is none. */
  rawQuery: string | null;
  /** Decoded path segments (`/a/b/` → ['a', 'b', '']). */
  segments: string[];
}

export type TargetRefusal = 'malformed_target' | 'suspicious_path';

const MAX_TARGET = 8192;
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const PERCENT = /%(?![0-9A-Fa-f]{2})/;
const ENCODED_AGAIN = /%[0-9A-Fa-f]{2}/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Parses an origin-form request target (`/path?query`).
 *
 * @example parseTarget('/api/users/42?x=1') // { rawPath: '/api/users/42', rawQuery: 'x=1', segments: [...] }
 * @example parseTarget('/api/%2e%2e/admin') // 'suspicious_path'
 */
export function parseTarget(raw: string): ParsedTarget | TargetRefusal {
  if (raw.length === 0 || raw.length > MAX_TARGET || raw[0] !== '/' || !VISIBLE_ASCII.test(raw))
    return 'malformed_target';
  if (raw.includes('#')) return 'malformed_target';
  const q = raw.indexOf('?');
  const rawPath = q === -1 ? raw : raw.slice(0, q);
  const rawQuery = q === -1 ? null : raw.slice(q + 1);
  if (PERCENT.test(rawPath)) return 'malformed_target';
  if (rawPath.includes('\\') || rawPath.includes(';')) return 'suspicious_path';
  const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') {
      if (i === parts.length - 1) {
        segments.push('');
        continue;
      }
      return 'suspicious_path';
    }
    let decoded = part;
    if (part.includes('%')) {
      try {
        decoded = decodeURIComponent(part);
      } catch {
        return 'malformed_target';
      }
      if (/[/\\;]/.test(decoded) || ENCODED_AGAIN.test(decoded)) return 'suspicious_path';
    }
    if (CONTROL.test(decoded)) return 'suspicious_path';
    if (decoded === '.' || decoded === '..' || decoded.startsWith('..')) return 'suspicious_path';
    segments.push(decoded);
  }
  return { rawPath, rawQuery, segments };
}

/**
 * The host name of a raw Host / X-Original-Host / X-Forwarded-Host value, lowercased, without its
 * port or one trailing dot; null when it is not a host name, IPv4 or bracketed IPv6 address.
 *
 * @example requestHostName('API.example.com:8443') // 'api.example.com'
 */
export function requestHostName(raw: string): string | null {
  if (raw.length === 0 || raw.length > 300) return null;
  let host = raw.toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end === -1) return null;
    const rest = host.slice(end + 1);
    if (rest !== '' && (!/^:\d{1,5}$/.test(rest) || Number(rest.slice(1)) > 65535)) return null;
    const inner = host.slice(1, end);
    return /^[0-9a-f:.]{2,45}$/.test(inner) ? `[${inner}]` : null;
  }
  const colon = host.indexOf(':');
  if (colon !== -1) {
    const port = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return isHostName(host) ? host : null;
}
