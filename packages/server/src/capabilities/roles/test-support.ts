/**
 * Shared fixtures of the roles and groups tests (not shipped code paths): tenant and user rows
 * inserted directly, and the directory services wired the way the composition root wires them, over
 * a real database and in-process shared state, recording every emitted event.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createChangeFeed } from '../../cache/change-feed.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import { type EmittedEvent, EventBus } from '../../events/event-bus.ts';
import { createMemoryState } from '../../state/memory-state.ts';
import type { SharedState } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import {
  createGroupStore,
  createGroupsService,
  createMembershipStore,
  type GroupsService,
} from '../groups/index.ts';
import { createAssignmentStore } from './assignment-store.ts';
import { createEffectiveAccess, type EffectiveAccessService } from './effective.ts';
import { createRolesService, type RolesService } from './service.ts';
import { createRoleStore } from './store.ts';

export const ctx = { actor: 'test', requestId: null };

export interface TestTenant {
  id: string;
  slug: string;
}

/** Inserts a tenant row (a unique slug each call). */
export async function insertTenant(database: Database): Promise<TestTenant> {
  const now = Date.now();
  const tenant = { id: newId(now), slug: `t-${randomBytes(4).toString('hex')}` };
  await database.db
    .insertInto('tenants')
    .values({
      ...tenant,
      display_name: tenant.slug,
      status: 'active',
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return tenant;
}

/** Inserts an active user row and returns its id. */
export async function insertUser(database: Database, tenantId: string, username?: string): Promise<string> {
  const now = Date.now();
  const id = newId(now);
  const name = username ?? `u-${randomBytes(4).toString('hex')}`;
  await database.db
    .insertInto('users')
    .values({
      id,
      tenant_id: tenantId,
      username: name,
      username_lower: name.toLowerCase(),
      email: null,
      email_lower: null,
      email_verified: 0,
      name: null,
      given_name: null,
      family_name: null,
      locale: null,
      picture: null,
      status: 'active',
      password_hash: null,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
      version: 1,
    })
    .execute();
  return id;
}

export interface TestDirectory {
  roles: RolesService;
  groups: GroupsService;
  access: EffectiveAccessService;
  state: SharedState;
  events: EmittedEvent[];
  close(): Promise<void>;
}

/** The directory services of one instance; pass `state` to share invalidations with another. */
export async function createDirectory(database: Database, state: SharedState = createMemoryState()) {
  const bus = new EventBus();
  const events: EmittedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const slugOf = async (tenantId: string) => {
    const row = await database.db
      .selectFrom('tenants')
      .select('slug')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    return row?.slug ?? '?';
  };
  const changes = createChangeFeed({ database, state });
  await changes.start();
  const access = createEffectiveAccess({ assignments: createAssignmentStore(database), changes });
  await access.start();
  const roles = createRolesService({
    store: createRoleStore(database),
    assignments: createAssignmentStore(database),
    database,
    bus,
    access,
    slugOf,
  });
  const groups = createGroupsService({
    store: createGroupStore(database),
    memberships: createMembershipStore(database),
    database,
    bus,
    access,
    slugOf,
  });
  const directory: TestDirectory = {
    roles,
    groups,
    access,
    state,
    events,
    close: async () => {
      await access.stop();
      await changes.stop();
    },
  };
  return directory;
}

/** Asserts that `promise` rejects with an AppError of `code`. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}
