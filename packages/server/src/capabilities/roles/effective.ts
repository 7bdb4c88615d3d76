/**
 * A user's effective access: the names of every role it holds directly or through any group it
 * belongs to (directly or nested), and the union of their permissions. Answers are served from the
 * invalidated cache per (tenant, user) and dropped per tenant — in the change's own unit of work, so
 * on every process once it commits — by any directory change that could alter one (ARCHITECTURE.md
 * §6: no cache without an invalidation path). The cache's guards keep a stale answer from being
 * stored, and every entry expires after `ttlMs` should an invalidation be lost.
 */

import { hasAbility } from '../../access/principal.ts';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import { isId } from '../../storage/ids.ts';
import type { AssignmentStore } from './assignment-store.ts';

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_MAX_ENTRIES = 50_000;

export interface EffectiveAccess {
  /** Role names, sorted. */
  roles: string[];
  /** Deduplicated, sorted permissions. */
  permissions: string[];
}

export interface EffectiveAccessService {
  /** The user's effective roles and permissions; `not_found` when the user is not in the tenant. */
  effectiveAccess(tenantId: string, userId: string): Promise<EffectiveAccess>;
  /**
   * Drops the tenant's cached answers here and on every process. Call inside the change's unit of
   * work (it is announced when that commits).
   */
  directoryChanged(tenantId: string): Promise<void>;
  /** Subscribes to invalidations from every process. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EffectiveAccessDeps {
  assignments: AssignmentStore;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  /** Lifetime of a cached answer (default 60 s): the bound on staleness if a message is lost. */
  ttlMs?: number;
  /** Cached answers kept across all tenants (default 50,000); the least recently used go first. */
  maxEntries?: number;
}

/**
 * True when `permissions` grant `needed`, with the semantics of admin API abilities.
 *
 * @example hasPermission(['users:write'], 'users:read') // true
 */
export function hasPermission(permissions: readonly string[], needed: string): boolean {
  return hasAbility(permissions, needed);
}

/** Cache key of a (tenant, user) answer; its scope is the tenant. */
const keyOf = (tenantId: string, userId: string) => `${tenantId}/${userId}`;
const tenantOfKey = (key: string) => key.slice(0, key.indexOf('/'));

export function createEffectiveAccess(deps: EffectiveAccessDeps): EffectiveAccessService {
  const { assignments } = deps;
  const cache = createInvalidatedCache<EffectiveAccess>({
    name: 'effective-access',
    feed: deps.changes,
    load: (key) => compute(tenantOfKey(key), key.slice(key.indexOf('/') + 1)),
    ttlMs: deps.ttlMs ?? DEFAULT_TTL_MS,
    maxEntries: deps.maxEntries ?? DEFAULT_MAX_ENTRIES,
    scopeOf: tenantOfKey,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });

  async function compute(tenantId: string, userId: string): Promise<EffectiveAccess> {
    const [found, granted] = await Promise.all([
      assignments.userExists(tenantId, userId),
      assignments.effectiveRoles(tenantId, userId),
    ]);
    if (!found) throw new AppError('not_found', { detail: 'no such user in this tenant' });
    const roles = [...new Set(granted.map((r) => r.name))].sort();
    const permissions = new Set<string>();
    for (const r of granted) for (const p of JSON.parse(r.permissions) as string[]) permissions.add(p);
    return { roles, permissions: [...permissions].sort() };
  }

  return {
    async effectiveAccess(tenantId, userId) {
      if (!isId(userId)) throw new AppError('not_found', { detail: 'no such user in this tenant' });
      return structuredClone(await cache.get(keyOf(tenantId, userId)));
    },
    directoryChanged: (tenantId) => cache.invalidateScope(tenantId),
    async start() {
      cache.start();
    },
    async stop() {
      cache.stop();
    },
  };
}
