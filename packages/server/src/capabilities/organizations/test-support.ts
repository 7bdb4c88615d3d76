/**
 * Test fixtures for the organization suites: tenants, users and roles inserted directly (their own
 * capabilities are built elsewhere), and a service wired to a recording event bus.
 */

import { type EmittedEvent, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import { createOrganizationService, type OrganizationService } from './service.ts';
import { createOrganizationStore } from './store.ts';

export const BUILTIN_ROLES = ['owner', 'admin', 'writer', 'viewer', 'auditor', 'member'] as const;

export const ctx = { actor: 'token:test', requestId: 'req-1' };

export interface Tenant {
  id: string;
  slug: string;
  /** Built-in (and any extra) role ids by name. */
  roles: Record<string, string>;
}

export async function insertTenant(
  database: Database,
  slug: string,
  extraRoles: string[] = [],
): Promise<Tenant> {
  const id = newId();
  const now = Date.now();
  await database.db
    .insertInto('tenants')
    .values({ id, slug, display_name: slug, status: 'active', created_at: now, updated_at: now, version: 1 })
    .execute();
  const roles: Record<string, string> = {};
  for (const name of [...BUILTIN_ROLES, ...extraRoles]) {
    roles[name] = newId();
    await database.db
      .insertInto('roles')
      .values({
        id: roles[name],
        tenant_id: id,
        name,
        name_lower: name.toLowerCase(),
        description: null,
        permissions: '[]',
        builtin: BUILTIN_ROLES.includes(name as never) ? 1 : 0,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
  }
  return { id, slug, roles };
}

export async function insertUser(database: Database, tenantId: string, username: string): Promise<string> {
  const id = newId();
  const now = Date.now();
  await database.db
    .insertInto('users')
    .values({
      id,
      tenant_id: tenantId,
      username,
      username_lower: username.toLowerCase(),
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

export interface Harness {
  organizations: OrganizationService;
  events: EmittedEvent[];
}

/** A service over `database` whose events are recorded. */
export function createHarness(database: Database): Harness {
  const bus = new EventBus();
  const events: EmittedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const slugOf = async (tenantId: string) =>
    (
      await database.db
        .selectFrom('tenants')
        .select('slug')
        .where('id', '=', tenantId)
        .executeTakeFirstOrThrow()
    ).slug;
  const organizations = createOrganizationService({
    store: createOrganizationStore(database),
    database,
    bus,
    slugOf,
  });
  return { organizations, events };
}

/** Runs `fn` and returns the AppError code it rejected with (or 'resolved'). */
export async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'resolved';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw err;
  }
}
