/**
 * A tenant's compiled policy: what the `/authz` hot path reads, built once from the tenant's rows and
 * kept in the invalidated cache (every route, permission or limit change drops it everywhere). Route
 * lookup walks host buckets in priority order — the exact host, then wildcards by longest suffix,
 * then `*` — and inside a bucket the routes sorted most specific first (patterns.ts); the first
 * bucket with a matching path wins.
 */
import type { LimitRow, PermissionRow, RouteRow } from '../store.ts';
import { ANY_METHOD, type AuthMode } from './model.ts';
import {
  comparePaths,
  type HostPattern,
  matchPath,
  type PathPattern,
  parseHostPattern,
  parsePathPattern,
} from './patterns.ts';

export interface Grant {
  id: string;
  subjectType: 'client' | 'user' | 'role';
  subject: string;
  /** Allowed methods; contains `*` for every method. */
  methods: ReadonlySet<string>;
  scopes: readonly string[];
}

export interface Limit {
  id: string;
  subjectType: 'client' | 'token' | 'any';
  subject: string;
  routeId: string | null;
  quota: { points: number; windowSeconds: number } | null;
  burst: { points: number; windowSeconds: number } | null;
}

export interface CompiledRoute {
  id: string;
  host: HostPattern;
  path: PathPattern;
  /** Method (or `*`) → modes. */
  auth: ReadonlyMap<string, readonly AuthMode[]>;
  audience: string | null;
  grants: readonly Grant[];
  /** Limits naming this route. */
  limits: readonly Limit[];
}

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

export interface TenantPolicy {
  readonly tenantId: string;
  readonly routes: readonly CompiledRoute[];
  /** Limits on every route. */
  readonly tenantLimits: readonly Limit[];
  match(host: string, segments: readonly string[]): RouteMatch | null;
  /** The modes a method of a route requires (`*` entry as the fallback); null: the method is not allowed. */
  modesFor(route: CompiledRoute, method: string): readonly AuthMode[] | null;
  /**
   * True when `host` (lowercase, no port) is named by an exact or wildcard route: where return URLs
   * may point. `*` routes never count (they would make every host a redirect target).
   */
  servesHost(host: string): boolean;
}

function toLimit(row: LimitRow): Limit {
  return {
    id: row.id,
    subjectType: row.subject_type,
    subject: row.subject,
    routeId: row.route_key === '*' ? null : row.route_key,
    quota:
      row.quota !== null && row.quota_window_seconds !== null
        ? { points: row.quota, windowSeconds: row.quota_window_seconds }
        : null,
    burst:
      row.burst !== null && row.burst_window_seconds !== null
        ? { points: row.burst, windowSeconds: row.burst_window_seconds }
        : null,
  };
}

export function compilePolicy(
  tenantId: string,
  rows: { routes: RouteRow[]; permissions: PermissionRow[]; limits: LimitRow[] },
): TenantPolicy {
  const grantsOf = new Map<string, Grant[]>();
  for (const p of rows.permissions) {
    const list = grantsOf.get(p.route_id) ?? [];
    list.push({
      id: p.id,
      subjectType: p.subject_type,
      subject: p.subject,
      methods: new Set(JSON.parse(p.methods) as string[]),
      scopes: JSON.parse(p.scopes) as string[],
    });
    grantsOf.set(p.route_id, list);
  }
  const limits = rows.limits.map(toLimit);
  const tenantLimits = limits.filter((l) => l.routeId === null);
  const routes: CompiledRoute[] = rows.routes.map((r) => {
    const auth = new Map(Object.entries(JSON.parse(r.methods) as Record<string, AuthMode[]>));
    const grants = grantsOf.get(r.id) ?? [];
    const own = limits.filter((l) => l.routeId === r.id);
    return {
      id: r.id,
      host: parseHostPattern(r.host),
      path: parsePathPattern(r.path),
      auth,
      audience: r.audience,
      grants,
      limits: own,
    };
  });
  const exact = new Map<string, CompiledRoute[]>();
  const wildcards = new Map<string, CompiledRoute[]>();
  const any: CompiledRoute[] = [];
  for (const route of routes) {
    const h = route.host;
    if (h.kind === 'exact') exact.set(h.host, [...(exact.get(h.host) ?? []), route]);
    else if (h.kind === 'wildcard') wildcards.set(h.suffix, [...(wildcards.get(h.suffix) ?? []), route]);
    else any.push(route);
  }
  const byPath = (a: CompiledRoute, b: CompiledRoute) => comparePaths(a.path, b.path);
  for (const list of exact.values()) list.sort(byPath);
  for (const list of wildcards.values()) list.sort(byPath);
  any.sort(byPath);
  const suffixes = [...wildcards.keys()].sort((a, b) => b.length - a.length);

  function firstMatch(list: readonly CompiledRoute[] | undefined, segments: readonly string[]) {
    if (!list) return null;
    for (const route of list) {
      const params = matchPath(route.path, segments);
      if (params) return { route, params };
    }
    return null;
  }

  return {
    tenantId,
    routes,
    tenantLimits,
    match(host, segments) {
      const hit = firstMatch(exact.get(host), segments);
      if (hit) return hit;
      for (const suffix of suffixes) {
        if (host.length > suffix.length && host.endsWith(suffix)) {
          const w = firstMatch(wildcards.get(suffix), segments);
          if (w) return w;
        }
      }
      return firstMatch(any, segments);
    },
    modesFor(route, method) {
      return route.auth.get(method) ?? route.auth.get(ANY_METHOD) ?? null;
    },
    servesHost(host) {
      if (exact.has(host)) return true;
      return suffixes.some((s) => host.length > s.length && host.endsWith(s));
    },
  };
}
