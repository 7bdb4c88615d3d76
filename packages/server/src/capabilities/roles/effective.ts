/**
 * A user's effective access: the names of every role it holds directly or through any group it
 * belongs to (directly or nested), and the union of their permissions. Answers are cached in memory
 * per (tenant, user) and dropped per tenant on any directory change that could alter one — here at
 * once, and on every other instance through the `directory.changed` channel (ARCHITECTURE.md §6:
 * no cache without an invalidation path). Two guards keep a stale answer from being cached: a
 * computation that overlapped an invalidation of its tenant is returned but not stored, and every
 * entry expires after `ttlMs` as the fallback should an invalidation message be lost.
 */
import { AppError } from '../../errors/app-error.ts';
import { hasAbility } from '../../http/admin-guard.ts';
import type { SharedState } from '../../state/state.ts';
import { isId } from '../../storage/ids.ts';
import type { AssignmentStore } from './assignment-store.ts';

export const DIRECTORY_CHANNEL = 'directory.changed';
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
  /** Drops the tenant's cached answers here and on every instance. Call after the change commits. */
  directoryChanged(tenantId: string): Promise<void>;
  /** Subscribes to invalidations published by other instances. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EffectiveAccessDeps {
  assignments: AssignmentStore;
  state: SharedState;
  /** Lifetime of a cached answer (default 60 s): the bound on staleness if a message is lost. */
  ttlMs?: number;
  /** Cached answers kept across all tenants (default 50,000); the oldest tenant's go first. */
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

interface Entry {
  access: EffectiveAccess;
  expires: number;
}

export function createEffectiveAccess(deps: EffectiveAccessDeps): EffectiveAccessService {
  const { assignments, state } = deps;
  const ttlMs = deps.ttlMs ?? DEFAULT_TTL_MS;
  const maxEntries = deps.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const cache = new Map<string, Map<string, Entry>>();
  let size = 0;
  // Invalidation clock: `seq` ticks on every invalidation; `invalidatedAt` remembers the tick per
  // tenant, and `floor` stands in for every tenant once that map is cleared to stay bounded.
  let seq = 0;
  let floor = 0;
  const invalidatedAt = new Map<string, number>();
  let unsubscribe: (() => Promise<void>) | undefined;

  function drop(tenantId: string): void {
    seq += 1;
    if (invalidatedAt.size >= maxEntries) {
      invalidatedAt.clear();
      floor = seq;
    }
    invalidatedAt.set(tenantId, seq);
    const entries = cache.get(tenantId);
    if (entries) {
      size -= entries.size;
      cache.delete(tenantId);
    }
  }

  function store(tenantId: string, userId: string, access: EffectiveAccess, startedAt: number): void {
    if (startedAt < floor || (invalidatedAt.get(tenantId) ?? 0) > startedAt) return;
    while (size >= maxEntries && cache.size > 0) {
      const [oldest, entries] = cache.entries().next().value as [string, Map<string, Entry>];
      size -= entries.size;
      cache.delete(oldest);
    }
    let entries = cache.get(tenantId);
    if (!entries) {
      entries = new Map();
      cache.set(tenantId, entries);
    }
    if (!entries.has(userId)) size += 1;
    entries.set(userId, { access, expires: Date.now() + ttlMs });
  }

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
      const hit = cache.get(tenantId)?.get(userId);
      if (hit && hit.expires > Date.now()) return structuredClone(hit.access);
      const startedAt = seq;
      const access = await compute(tenantId, userId);
      store(tenantId, userId, access, startedAt);
      return structuredClone(access);
    },
    async directoryChanged(tenantId) {
      drop(tenantId);
      await state.publish(DIRECTORY_CHANNEL, tenantId);
    },
    async start() {
      if (unsubscribe) return;
      unsubscribe = await state.subscribe(DIRECTORY_CHANNEL, (tenantId) => drop(tenantId));
    },
    async stop() {
      const u = unsubscribe;
      unsubscribe = undefined;
      await u?.();
    },
  };
}
