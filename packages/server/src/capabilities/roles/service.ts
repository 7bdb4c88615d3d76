/**
 * Roles: named sets of permissions per tenant, and who holds them. Every tenant gets the built-in
 * roles (`owner`, `admin`, `writer`, `viewer`, `auditor`, `member`), which cannot be renamed, changed
 * or deleted (409 role_in_use); custom roles are created, changed (If-Match) and deleted freely, with
 * names unique per tenant ignoring case (409 conflict). Roles are assigned to users and to groups;
 * every change that can alter someone's effective access invalidates it across instances, and every
 * change is a domain event (actor, action, target, changed fields).
 */
import './errors.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import { isId, newId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { toIso } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import { nameKey } from '../../text/identifiers.ts';
import type { AssignmentStore, LinkResult } from './assignment-store.ts';
import type { EffectiveAccessService } from './effective.ts';
import { BUILTIN_ROLES, checkName, normalisePermissions } from './permissions.ts';
import {
  type CreateRoleInput,
  ROLE_NAME_MAX,
  type RoleSort,
  type RoleView,
  type UpdateRoleInput,
} from './schemas.ts';
import type { RoleFilters, RolePatch, RoleRow, RoleStore } from './store.ts';

export interface RolesService {
  /** Creates the built-in roles a tenant lacks (idempotent; called when a tenant is created). */
  seedBuiltinRoles(tenantId: string): Promise<void>;
  create(tenantId: string, input: CreateRoleInput, ctx: ActionContext): Promise<RoleView>;
  get(tenantId: string, roleId: string): Promise<RoleView>;
  /** Looks a role up by name, ignoring case; `not_found` when there is none. */
  getByName(tenantId: string, name: string): Promise<RoleView>;
  list(tenantId: string, options: ListOptions<RoleSort>, filters: RoleFilters): Promise<Page<RoleView>>;
  update(
    tenantId: string,
    roleId: string,
    input: UpdateRoleInput,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<RoleView>;
  delete(tenantId: string, roleId: string, expected: number | undefined, ctx: ActionContext): Promise<void>;
  /** Gives the user the role; true when newly assigned, false when it already held it. */
  assignToUser(tenantId: string, userId: string, roleId: string, ctx: ActionContext): Promise<boolean>;
  /** `not_found` when the user does not hold the role. */
  removeFromUser(tenantId: string, userId: string, roleId: string, ctx: ActionContext): Promise<void>;
  listUserRoles(tenantId: string, userId: string): Promise<RoleView[]>;
  /** Maps the role to the group (and so to its members, nested ones included). */
  assignToGroup(tenantId: string, groupId: string, roleId: string, ctx: ActionContext): Promise<boolean>;
  removeFromGroup(tenantId: string, groupId: string, roleId: string, ctx: ActionContext): Promise<void>;
  listGroupRoles(tenantId: string, groupId: string): Promise<RoleView[]>;
}

export interface RolesDeps {
  store: RoleStore;
  assignments: AssignmentStore;
  database: Database;
  bus: EventBus;
  access: Pick<EffectiveAccessService, 'directoryChanged'>;
  /** Tenant id → slug, for the events (the tenants service's cached `slugOf`). */
  slugOf: (tenantId: string) => Promise<string>;
}

export function toRoleView(row: RoleRow): RoleView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: JSON.parse(row.permissions) as string[],
    builtin: row.builtin === 1,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    version: row.version,
  };
}

export function createRolesService(deps: RolesDeps): RolesService {
  const { store, assignments, database, bus, access } = deps;

  const emit = createTenantEventEmitter(bus, deps.slugOf);

  async function mustGet(tenantId: string, roleId: string): Promise<RoleRow> {
    const row = isId(roleId) ? await store.byId(tenantId, roleId) : undefined;
    if (!row) throw new AppError('not_found', { detail: 'no such role in this tenant' });
    return row;
  }

  /** Why a guarded update or delete matched nothing: unknown, built in, or a stale ETag. */
  async function explainMiss(tenantId: string, roleId: string): Promise<never> {
    const row = await mustGet(tenantId, roleId);
    if (row.builtin === 1) {
      throw new AppError('role_in_use', { detail: `"${row.name}" is a built-in role and cannot be changed` });
    }
    throw new AppError('precondition_failed');
  }

  function conflict(err: unknown): never {
    if (database.dialect.isUniqueViolation(err)) {
      throw new AppError('conflict', { detail: 'a role with this name (ignoring case) already exists' });
    }
    throw err;
  }

  /** True when newly linked; `not_found` when either end is not in the tenant (or is no id at all). */
  async function link(ids: string[], what: string, run: () => Promise<LinkResult>): Promise<boolean> {
    const result = ids.every(isId) ? await run() : 'missing';
    if (result === 'missing')
      throw new AppError('not_found', { detail: `no such ${what} or role in this tenant` });
    return result === 'added';
  }

  async function mustExist(id: string, what: string, found: (id: string) => Promise<boolean>): Promise<void> {
    if (!isId(id) || !(await found(id)))
      throw new AppError('not_found', { detail: `no such ${what} in this tenant` });
  }

  const service: RolesService = {
    async seedBuiltinRoles(tenantId) {
      const now = Date.now();
      await store.insertMissing(
        BUILTIN_ROLES.map((r) => ({
          id: newId(now),
          tenant_id: tenantId,
          name: r.name,
          name_lower: r.name,
          description: r.description,
          permissions: JSON.stringify(normalisePermissions(r.permissions)),
          builtin: 1,
          created_at: now,
          updated_at: now,
          version: 1,
        })),
      );
    },
    async create(tenantId, input, ctx) {
      const now = Date.now();
      const name = checkName(input.name, ROLE_NAME_MAX, 'role');
      const row: RoleRow = {
        id: newId(now),
        tenant_id: tenantId,
        name,
        name_lower: nameKey(name),
        description: input.description ?? null,
        permissions: JSON.stringify(normalisePermissions(input.permissions ?? [])),
        builtin: 0,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      await store.insert(row).catch(conflict);
      const view = toRoleView(row);
      await emit(tenantId, 'role.created', `role:${row.id}`, ctx, { name, permissions: view.permissions });
      return view;
    },
    async get(tenantId, roleId) {
      return toRoleView(await mustGet(tenantId, roleId));
    },
    async getByName(tenantId, name) {
      const row = typeof name === 'string' ? await store.byName(tenantId, nameKey(name)) : undefined;
      if (!row) throw new AppError('not_found', { detail: 'no role with this name in this tenant' });
      return toRoleView(row);
    },
    async list(tenantId, options, filters) {
      const rows = await store.list(tenantId, options, filters);
      return toPage(
        rows,
        options,
        (r) => (options.sort === 'name' ? r.name_lower : r.created_at),
        toRoleView,
      );
    },
    async update(tenantId, roleId, input, expected, ctx) {
      const patch: RolePatch = {};
      if (input.name !== undefined) {
        patch.name = checkName(input.name, ROLE_NAME_MAX, 'role');
        patch.name_lower = nameKey(patch.name);
      }
      if (input.description !== undefined) patch.description = input.description;
      if (input.permissions !== undefined)
        patch.permissions = JSON.stringify(normalisePermissions(input.permissions));
      if (Object.keys(patch).length === 0) {
        // nothing to change: no new version, no audit entry — built-ins and stale If-Match still refused
        const current = await mustGet(tenantId, roleId);
        if (current.builtin) throw new AppError('role_in_use');
        if (expected !== undefined && expected !== current.version) throw new AppError('precondition_failed');
        return toRoleView(current);
      }
      const row = isId(roleId)
        ? await store.update(tenantId, roleId, patch, expected, Date.now()).catch(conflict)
        : undefined;
      if (!row) return explainMiss(tenantId, roleId);
      if (patch.name !== undefined || patch.permissions !== undefined)
        await access.directoryChanged(tenantId);
      const view = toRoleView(row);
      await emit(tenantId, 'role.updated', `role:${row.id}`, ctx, { changed: Object.keys(input).sort() });
      return view;
    },
    async delete(tenantId, roleId, expected, ctx) {
      const current = await mustGet(tenantId, roleId);
      if (!(await store.delete(tenantId, roleId, expected))) return explainMiss(tenantId, roleId);
      await access.directoryChanged(tenantId);
      await emit(tenantId, 'role.deleted', `role:${roleId}`, ctx, { name: current.name });
    },
    async assignToUser(tenantId, userId, roleId, ctx) {
      const added = await link([userId, roleId], 'user', () =>
        assignments.assignToUser(tenantId, userId, roleId, Date.now()),
      );
      if (added) {
        await access.directoryChanged(tenantId);
        await emit(tenantId, 'user.role_added', `user:${userId}`, ctx, { roleId });
      }
      return added;
    },
    async removeFromUser(tenantId, userId, roleId, ctx) {
      const removed =
        isId(userId) && isId(roleId) && (await assignments.removeFromUser(tenantId, userId, roleId));
      if (!removed) throw new AppError('not_found', { detail: 'the user does not hold this role' });
      await access.directoryChanged(tenantId);
      await emit(tenantId, 'user.role_removed', `user:${userId}`, ctx, { roleId });
    },
    async listUserRoles(tenantId, userId) {
      await mustExist(userId, 'user', (id) => assignments.userExists(tenantId, id));
      return (await assignments.userRoles(tenantId, userId)).map(toRoleView);
    },
    async assignToGroup(tenantId, groupId, roleId, ctx) {
      const added = await link([groupId, roleId], 'group', () =>
        assignments.assignToGroup(tenantId, groupId, roleId, Date.now()),
      );
      if (added) {
        await access.directoryChanged(tenantId);
        await emit(tenantId, 'group.role_added', `group:${groupId}`, ctx, { roleId });
      }
      return added;
    },
    async removeFromGroup(tenantId, groupId, roleId, ctx) {
      const removed =
        isId(groupId) && isId(roleId) && (await assignments.removeFromGroup(tenantId, groupId, roleId));
      if (!removed) throw new AppError('not_found', { detail: 'the group does not hold this role' });
      await access.directoryChanged(tenantId);
      await emit(tenantId, 'group.role_removed', `group:${groupId}`, ctx, { roleId });
    },
    async listGroupRoles(tenantId, groupId) {
      await mustExist(groupId, 'group', (id) => assignments.groupExists(tenantId, id));
      return (await assignments.groupRoles(tenantId, groupId)).map(toRoleView);
    },
  };
  return inUnits(database, service, [
    'seedBuiltinRoles',
    'create',
    'update',
    'delete',
    'assignToUser',
    'removeFromUser',
    'assignToGroup',
    'removeFromGroup',
  ]);
}
