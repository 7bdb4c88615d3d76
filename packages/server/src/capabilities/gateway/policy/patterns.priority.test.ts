/**
 * Route priority, one case table run against the compiled policy: exact host over wildcard over any,
 * then the most specific path (literal over {param} over exact end over * tail); parameters; trailing
 * slashes; and the pattern checks that refuse what could never be matched safely.
 */
import { describe, expect, it } from 'vitest';
import type { RouteRow } from '../store.ts';
import { compilePolicy } from './compile.ts';
import { parseHostPattern, parsePathPattern } from './patterns.ts';
import { parseTarget } from './target.ts';

let n = 0;
function route(host: string, path: string): RouteRow {
  n++;
  const p = parsePathPattern(path);
  return {
    id: `r${n}:${host} ${path}`,
    tenant_id: 't',
    host: parseHostPattern(host).text,
    path,
    path_key: p.key,
    methods: '{"GET":["public"]}',
    audience: null,
    description: null,
    created_at: n,
    updated_at: n,
    version: 1,
  };
}

const routes = [
  route('*', '/*'),
  route('*', '/api/*'),
  route('*.example.com', '/api/*'),
  route('*.eu.example.com', '/api/*'),
  route('api.example.com', '/api/users/*'),
  route('api.example.com', '/api/users/{id}'),
  route('api.example.com', '/api/users/me'),
  route('api.example.com', '/api/users'),
  route('api.example.com', '/api/{section}/list'),
  route('api.example.com', '/'),
];
const policy = compilePolicy('t', { routes, permissions: [], limits: [] });

function which(host: string, target: string): string | null {
  const parsed = parseTarget(target);
  if (typeof parsed === 'string') throw new Error(parsed);
  const m = policy.match(host, parsed.segments);
  return m ? m.route.id.slice(m.route.id.indexOf(':') + 1) : null;
}

describe('route priority', () => {
  it.each([
    ['api.example.com', '/api/users/me', 'api.example.com /api/users/me'],
    ['api.example.com', '/api/users/42', 'api.example.com /api/users/{id}'],
    ['api.example.com', '/api/users', 'api.example.com /api/users'],
    ['api.example.com', '/api/users/', 'api.example.com /api/users/*'],
    ['api.example.com', '/api/users/42/posts', 'api.example.com /api/users/*'],
    ['api.example.com', '/api/orders/list', 'api.example.com /api/{section}/list'],
    ['api.example.com', '/api/users/list', 'api.example.com /api/users/{id}'],
    ['api.example.com', '/', 'api.example.com /'],
    // the exact host has no route for this path: wildcard, then any
    ['api.example.com', '/api/orders', '*.example.com /api/*'],
    ['api.example.com', '/other', '* /*'],
    ['x.eu.example.com', '/api/a', '*.eu.example.com /api/*'],
    ['deep.x.example.com', '/api', '*.example.com /api/*'],
    ['example.com', '/api/a', '* /api/*'],
    ['evil-example.com', '/api/a', '* /api/*'],
    ['elsewhere.org', '/x/y', '* /*'],
  ])('%s%s → %s', (host, target, expected) => {
    expect(which(host, target)).toBe(expected);
  });

  it('erases parameter names in the tie key', () => {
    expect(parsePathPattern('/a/{x}/b').key).toBe(parsePathPattern('/a/{y}/b').key);
    expect(parsePathPattern('/a/*').key).not.toBe(parsePathPattern('/a/{x}').key);
    expect(parsePathPattern('/*').key).toBe('/*');
  });

  it.each(['', 'api', '/a//b', '/a/../b', '/a/./b', '/a/%2e%2e', '/a/*/b', '/a/{x}/{x}', '/a b', '/a/{1x}'])(
    'refuses the path pattern %j',
    (p) => {
      expect(() => parsePathPattern(p)).toThrow();
    },
  );

  it.each(['*.com', 'a..b', '-a.com', 'a.com:8080', '*.*.com', 'exa mple.com', 'https://a.com'])(
    'refuses the host pattern %j',
    (h) => {
      expect(() => parseHostPattern(h)).toThrow();
    },
  );

  it('serves return URLs only for exact and wildcard hosts, never through *', () => {
    expect(policy.servesHost('api.example.com')).toBe(true);
    expect(policy.servesHost('a.example.com')).toBe(true);
    expect(policy.servesHost('example.com')).toBe(false);
    expect(policy.servesHost('evil.com')).toBe(false);
  });
});
