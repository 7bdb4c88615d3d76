/**
 * What the users service is built from, and how it announces changes: one domain event per change on
 * the bus (audit and webhooks subscribe), with the tenant's slug, the acting principal, the target
 * user and the names of what changed. Each event is emitted inside the change's unit of work, so the
 * change and its audit event commit together.
 */
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import type { PasswordHasher } from '../../crypto/password.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import type { LinksStore } from './links-store.ts';
import type { UsersStore } from './store.ts';

export interface UsersDeps {
  database: Database;
  /** Argon2id hasher (production: OWASP parameters from config). */
  passwords: PasswordHasher;
  bus: EventBus;
  /** The change feed the user-status cache is invalidated through. */
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  /** Tenant id → slug for events (wire `TenantsService.slugOf`, which is cached). */
  slugOf: (tenantId: string) => Promise<string>;
  /**
   * Whether a username that looks like an existing one of its tenant (equal confusable skeletons) is
   * refused — the runtime setting `usernameConfusablesRefused`; default true.
   */
  confusablesRefused?: () => boolean;
  /** Overrides for tests; default to the Kysely stores on `database`. */
  store?: UsersStore;
  links?: LinksStore;
  now?: () => number;
}

export interface UserEvents {
  emit(
    type: string,
    tenantId: string,
    ctx: ActionContext,
    userId: string,
    data: Record<string, unknown>,
  ): Promise<void>;
}

export function createUserEvents(deps: Pick<UsersDeps, 'bus' | 'slugOf'>): UserEvents {
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);
  return { emit: (type, tenantId, ctx, userId, data) => emit(tenantId, type, `user:${userId}`, ctx, data) };
}
