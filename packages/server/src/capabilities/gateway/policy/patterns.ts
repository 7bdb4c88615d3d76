/**
 * Route patterns and their priority (issue 11 §2). A host pattern is exact (`api.example.com`),
 * wildcard (`*.example.com`: any subdomain, at any depth, never the apex) or any (`*`); ports are not
 * part of a pattern. A path pattern is a list of segments — literals and `{param}`s — optionally
 * ending in `*` (prefix: the path itself and everything below it). Priority: exact host over wildcard
 * (longer suffix first) over any; then the most specific path, compared segment by segment: a
 * literal beats a parameter, which beats the end of an exact pattern, which beats a `*` tail. Two
 * patterns that compare equal everywhere either cannot match the same path (a literal differs) or
 * have the same `key` (parameter names erased) — a tie, refused when the route is created.
 */
import { AppError } from '../../../errors/app-error.ts';

export type HostPattern =
  | { kind: 'exact'; text: string; host: string }
  | { kind: 'wildcard'; text: string; suffix: string }
  | { kind: 'any'; text: '*' };

export type PathSegment = { literal: string } | { param: string };

export interface PathPattern {
  text: string;
  segments: readonly PathSegment[];
  /** Ends in `*`: matches the path itself and everything below it. */
  prefix: boolean;
  /** The pattern with parameter names erased: equal keys (on one host) tie. */
  key: string;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LITERAL = /^[A-Za-z0-9._~!$&'()+,=:@-]{1,255}$/;
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]{0,31})\}$/;
const MAX_SEGMENTS = 64;

function invalid(what: string, detail: string): never {
  throw new AppError('validation_failed', { detail: `${what}: ${detail}` });
}

/** True for a DNS host name (lowercase labels) or a dotted IPv4 address. */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((l) => LABEL.test(l));
}

/**
 * Parses a host pattern, lowercasing it.
 *
 * @example parseHostPattern('*.Example.com') // { kind: 'wildcard', suffix: '.example.com', … }
 */
export function parseHostPattern(text: string): HostPattern {
  const t = text.trim().toLowerCase();
  if (t === '*') return { kind: 'any', text: '*' };
  if (t.startsWith('*.')) {
    const rest = t.slice(2);
    if (!isHostName(rest) || !rest.includes('.'))
      invalid('host', `"${text.slice(0, 80)}" is not *.<domain> with a domain of two labels or more`);
    return { kind: 'wildcard', text: t, suffix: `.${rest}` };
  }
  if (!isHostName(t))
    invalid('host', `"${text.slice(0, 80)}" is not a host name, *.<domain> or * (ports are not part of it)`);
  return { kind: 'exact', text: t, host: t };
}

/**
 * Parses a path pattern: `/`, `/api/users`, `/api/users/{id}`, `/api/users/*`, `/*`.
 *
 * @example parsePathPattern('/api/{id}/*').key // '/api/{}/*'
 */
export function parsePathPattern(text: string): PathPattern {
  if (typeof text !== 'string' || !text.startsWith('/') || text.length > 1024)
    invalid('path', 'a pattern starts with / and has at most 1024 characters');
  const parts = text === '/' ? [] : text.slice(1).split('/');
  let prefix = false;
  if (parts[parts.length - 1] === '*') {
    prefix = true;
    parts.pop();
  }
  if (parts.length > MAX_SEGMENTS) invalid('path', `at most ${MAX_SEGMENTS} segments`);
  const names = new Set<string>();
  const segments: PathSegment[] = parts.map((part) => {
    const param = PARAM.exec(part);
    if (param) {
      const name = param[1]!;
      if (names.has(name)) invalid('path', `the parameter {${name}} appears twice`);
      names.add(name);
      return { param: name };
    }
    if (part === '' || part === '.' || part === '..' || part === '*' || !LITERAL.test(part))
      invalid(
        'path',
        `segment "${part.slice(0, 40)}" is not a literal, a {param} or a final * (no empty, dot or encoded segments)`,
      );
    return { literal: part };
  });
  const body = segments.map((s) => ('literal' in s ? s.literal : '{}')).join('/');
  const key = `/${body}${prefix ? (body ? '/*' : '*') : ''}`;
  return { text, segments, prefix, key };
}

/** Rank of a pattern at segment position `i` (lower is more specific). */
function rankAt(p: PathPattern, i: number): number {
  const s = p.segments[i];
  if (s) return 'literal' in s ? 0 : 1;
  return p.prefix ? 3 : 2;
}

/** Orders path patterns most specific first (see the file header). */
export function comparePaths(a: PathPattern, b: PathPattern): number {
  const n = Math.max(a.segments.length, b.segments.length) + 1;
  for (let i = 0; i < n; i++) {
    const d = rankAt(a, i) - rankAt(b, i);
    if (d !== 0) return d;
    if (i >= a.segments.length || i >= b.segments.length) break;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Matches decoded path segments (see target.ts) against a pattern; returns the parameters or null.
 *
 * @example matchPath(parsePathPattern('/users/{id}'), ['users', '42']) // { id: '42' }
 */
export function matchPath(p: PathPattern, segments: readonly string[]): Record<string, string> | null {
  const n = p.segments.length;
  if (p.prefix ? segments.length < n : segments.length !== n) return null;
  let params: Record<string, string> | null = null;
  for (let i = 0; i < n; i++) {
    const s = p.segments[i]!;
    const value = segments[i]!;
    if ('literal' in s) {
      if (s.literal !== value) return null;
    } else {
      if (value === '') return null;
      params ??= {};
      params[s.param] = value;
    }
  }
  return params ?? {};
}

/** True when a request host (lowercase, no port) matches a host pattern. */
export function matchHost(p: HostPattern, host: string): boolean {
  if (p.kind === 'any') return true;
  if (p.kind === 'exact') return p.host === host;
  return host.length > p.suffix.length && host.endsWith(p.suffix);
}
