/**
 * Where a browser may be sent back to after signing in (issue 11 §4): an absolute http(s) URL on a
 * host the tenant's routes name exactly or by wildcard (never through a `*` route), or Gatekeeper's
 * own host. Everything the open-redirect bugs of Authelia and oauth2-proxy used is refused before
 * the URL is even parsed: relative and scheme-relative forms (`//evil`, `/\evil`, `\\evil`),
 * backslashes and encoded ones, userinfo (`https://api.example.com@evil.com`), other or encoded
 * schemes (`javascript:`, `%68ttps://`), whitespace and control characters (raw or encoded), and an
 * authority the parser reads differently from how it is written (`%2F`, `%00`, `%40` inside it).
 */
import { requestHostName } from './policy/target.ts';

const MAX = 2048;
const SCHEME = /^https?:\/\//i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const UNSAFE = /[\s\x00-\x1f\x7f\\]|%(?:0[0-9a-f]|1[0-9a-f]|7f|5c|20|09)/i;

/**
 * The URL to redirect to, normalized, or null when it is not a safe return URL.
 *
 * @example checkReturnUrl('https://app.example.com/x', (h) => h.endsWith('.example.com'), 'id.example.com')
 */
export function checkReturnUrl(
  raw: string,
  servesHost: (host: string) => boolean,
  ownHost: string | null,
): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX) return null;
  if (!SCHEME.test(raw) || UNSAFE.test(raw)) return null;
  const rest = raw.slice(raw.indexOf('//') + 2);
  const end = rest.search(/[/?#]/);
  const authority = (end === -1 ? rest : rest.slice(0, end)).toLowerCase();
  if (authority.includes('@') || authority.includes('%')) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '' || url.host !== authority) return null;
  const host = requestHostName(url.host);
  if (host === null) return null;
  if (host !== ownHost && !servesHost(host)) return null;
  return url.href;
}
