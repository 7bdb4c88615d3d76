/**
 * Shared fixtures of the users tests (not shipped code paths): tenant rows inserted directly, a users
 * service with cheap Argon2 parameters, and a bus that records every event for assertions.
 */
import type { TestDatabase } from '../../../test/databases.ts';
import { createChangeFeed } from '../../cache/change-feed.ts';
import { createPasswordHasher, type PasswordHashParams } from '../../crypto/password.ts';
import { type EmittedEvent, EventBus } from '../../events/event-bus.ts';
import { createMemoryState } from '../../state/memory-state.ts';
import { newId } from '../../storage/ids.ts';
import { createUsersService, type UsersService } from './service.ts';

export const CHEAP_ARGON2: PasswordHashParams = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
export const ctx = { actor: 'token:test', requestId: 'req-1' };

/** Inserts an active tenant and returns its id. */
export async function createTenant(
  t: TestDatabase,
  slug = `t-${newId().slice(-12)}`,
): Promise<{ id: string; slug: string }> {
  const now = Date.now();
  const id = newId();
  await t.database.db
    .insertInto('tenants')
    .values({ id, slug, display_name: slug, status: 'active', created_at: now, updated_at: now, version: 1 })
    .execute();
  return { id, slug };
}

export interface UsersFixture {
  users: UsersService;
  events: EmittedEvent[];
  slugs: Map<string, string>;
}

/** A users service on the test database; `slugs` maps tenant ids to slugs for events. */
export function usersFixture(t: TestDatabase, params: PasswordHashParams = CHEAP_ARGON2): UsersFixture {
  const bus = new EventBus((err) => {
    throw err;
  });
  const events: EmittedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const slugs = new Map<string, string>();
  const users = createUsersService({
    database: t.database,
    passwords: createPasswordHasher(params),
    bus,
    changes: createChangeFeed({ database: t.database, state: createMemoryState() }),
    slugOf: async (id) => slugs.get(id) ?? id,
  });
  return { users, events, slugs };
}
