/**
 * Groups: named sets of users and of other groups, per tenant. Names are unique ignoring case (409
 * conflict); updates and deletes honour If-Match (412). A group may contain groups, but never itself,
 * directly or transitively (409 group_cycle). Every membership change, and deleting a group, can
 * change someone's effective access, so it invalidates that cache across instances; every change is
 * a domain event (actor, action, target, changed fields).
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
import { checkName, type EffectiveAccessService } from '../roles/index.ts';
import type { AddResult, MemberRow, MembershipStore, UserGroupRow } from './membership-store.ts';
import {
  type CreateGroupInput,
  GROUP_NAME_MAX,
  type GroupSort,
  type GroupView,
  type MemberSort,
  type MemberType,
  type MemberView,
  type UpdateGroupInput,
  type UserGroupView,
} from './schemas.ts';
import type { GroupFilters, GroupPatch, GroupRow, GroupStore } from './store.ts';

export interface GroupsService {
  create(tenantId: string, input: CreateGroupInput, ctx: ActionContext): Promise<GroupView>;
  get(tenantId: string, groupId: string): Promise<GroupView>;
  /** Looks a group up by name, ignoring case; `not_found` when there is none. */
  getByName(tenantId: string, name: string): Promise<GroupView>;
  /** By id when `idOrName` is a UUID, else by name (CLI arguments). */
  resolve(tenantId: string, idOrName: string): Promise<GroupView>;
  list(tenantId: string, options: ListOptions<GroupSort>, filters: GroupFilters): Promise<Page<GroupView>>;
  update(
    tenantId: string,
    groupId: string,
    input: UpdateGroupInput,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<GroupView>;
  /** Deletes the group with its memberships and role mappings. */
  delete(tenantId: string, groupId: string, expected: number | undefined, ctx: ActionContext): Promise<void>;
  /** True when newly added, false when the user already was a member. */
  addUser(tenantId: string, groupId: string, userId: string, ctx: ActionContext): Promise<boolean>;
  /** `not_found` when the user is not a direct member. */
  removeUser(tenantId: string, groupId: string, userId: string, ctx: ActionContext): Promise<void>;
  /** Nests `childId` in `parentId`; `group_cycle` when the parent is the child or one of its descendants. */
  addGroup(tenantId: string, parentId: string, childId: string, ctx: ActionContext): Promise<boolean>;
  removeGroup(tenantId: string, parentId: string, childId: string, ctx: ActionContext): Promise<void>;
  /** Direct members: users and nested groups. */
  listMembers(
    tenantId: string,
    groupId: string,
    options: ListOptions<MemberSort>,
    type?: MemberType,
  ): Promise<Page<MemberView>>;
  /** The user's groups; with `transitive`, also the groups its groups are nested in. */
  listUserGroups(
    tenantId: string,
    userId: string,
    options?: { transitive?: boolean },
  ): Promise<UserGroupView[]>;
  /** The direct groups of many users at once (for exports): user id → group names, by name. */
  groupNamesOfUsers(tenantId: string, userIds: readonly string[]): Promise<Map<string, string[]>>;
}

export interface GroupsDeps {
  store: GroupStore;
  memberships: MembershipStore;
  database: Database;
  bus: EventBus;
  access: Pick<EffectiveAccessService, 'directoryChanged'>;
  /** Tenant id → slug, for the events (the tenants service's cached `slugOf`). */
  slugOf: (tenantId: string) => Promise<string>;
}

export function toGroupView(row: GroupRow): GroupView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    version: row.version,
  };
}

const toMemberView = (row: MemberRow): MemberView => ({
  type: row.type,
  id: row.id,
  name: row.name,
  addedAt: toIso(Number(row.created_at)),
});

const toUserGroupView = (row: UserGroupRow): UserGroupView => ({
  ...toGroupView(row),
  direct: Number(row.direct) === 1,
});

export function createGroupsService(deps: GroupsDeps): GroupsService {
  const { store, memberships, database, bus, access } = deps;

  const emit = createTenantEventEmitter(bus, deps.slugOf);

  async function mustGet(tenantId: string, groupId: string): Promise<GroupRow> {
    const row = isId(groupId) ? await store.byId(tenantId, groupId) : undefined;
    if (!row) throw new AppError('not_found', { detail: 'no such group in this tenant' });
    return row;
  }

  function conflict(err: unknown): never {
    if (database.dialect.isUniqueViolation(err)) {
      throw new AppError('conflict', { detail: 'a group with this name (ignoring case) already exists' });
    }
    throw err;
  }

  /** True when newly added; maps the other outcomes to their errors. */
  async function added(ids: string[], what: string, run: () => Promise<AddResult>): Promise<boolean> {
    const result = ids.every(isId) ? await run() : 'missing';
    if (result === 'missing')
      throw new AppError('not_found', { detail: `no such group or ${what} in this tenant` });
    if (result === 'cycle') {
      throw new AppError('group_cycle', {
        detail: 'a group cannot contain itself, directly or through nesting',
      });
    }
    return result === 'added';
  }

  /** After a membership change committed: invalidate effective access, then record the event. */
  async function changed(
    tenantId: string,
    groupId: string,
    type: string,
    ctx: ActionContext,
    data: Record<string, unknown>,
  ) {
    await access.directoryChanged(tenantId);
    await emit(tenantId, type, `group:${groupId}`, ctx, data);
  }

  const service: GroupsService = {
    async create(tenantId, input, ctx) {
      const now = Date.now();
      const name = checkName(input.name, GROUP_NAME_MAX, 'group');
      const row: GroupRow = {
        id: newId(now),
        tenant_id: tenantId,
        name,
        name_lower: nameKey(name),
        description: input.description ?? null,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      await store.insert(row).catch(conflict);
      await emit(tenantId, 'group.created', `group:${row.id}`, ctx, { name });
      return toGroupView(row);
    },
    async get(tenantId, groupId) {
      return toGroupView(await mustGet(tenantId, groupId));
    },
    async getByName(tenantId, name) {
      const row = typeof name === 'string' ? await store.byName(tenantId, nameKey(name)) : undefined;
      if (!row) throw new AppError('not_found', { detail: 'no group with this name in this tenant' });
      return toGroupView(row);
    },
    async resolve(tenantId, idOrName) {
      return isId(idOrName) ? service.get(tenantId, idOrName) : service.getByName(tenantId, idOrName);
    },
    async list(tenantId, options, filters) {
      const rows = await store.list(tenantId, options, filters);
      return toPage(
        rows,
        options,
        (r) => (options.sort === 'name' ? r.name_lower : r.created_at),
        toGroupView,
      );
    },
    async update(tenantId, groupId, input, expected, ctx) {
      const patch: GroupPatch = {};
      if (input.name !== undefined) {
        patch.name = checkName(input.name, GROUP_NAME_MAX, 'group');
        patch.name_lower = nameKey(patch.name);
      }
      if (input.description !== undefined) patch.description = input.description;
      if (Object.keys(patch).length === 0) {
        // nothing to change: no new version, no audit entry — but a stale If-Match is still refused
        const current = await mustGet(tenantId, groupId);
        if (expected !== undefined && expected !== current.version) throw new AppError('precondition_failed');
        return toGroupView(current);
      }
      const row = isId(groupId)
        ? await store.update(tenantId, groupId, patch, expected, Date.now()).catch(conflict)
        : undefined;
      if (!row) {
        await mustGet(tenantId, groupId);
        throw new AppError('precondition_failed');
      }
      await emit(tenantId, 'group.updated', `group:${row.id}`, ctx, { changed: Object.keys(input).sort() });
      return toGroupView(row);
    },
    async delete(tenantId, groupId, expected, ctx) {
      const current = await mustGet(tenantId, groupId);
      if (!(await store.delete(tenantId, groupId, expected))) {
        await mustGet(tenantId, groupId);
        throw new AppError('precondition_failed');
      }
      await changed(tenantId, groupId, 'group.deleted', ctx, { name: current.name });
    },
    async addUser(tenantId, groupId, userId, ctx) {
      const isNew = await added([groupId, userId], 'user', () =>
        memberships.addUser(tenantId, groupId, userId, Date.now()),
      );
      if (isNew)
        await changed(tenantId, groupId, 'group.member_added', ctx, { memberType: 'user', memberId: userId });
      return isNew;
    },
    async removeUser(tenantId, groupId, userId, ctx) {
      const removed =
        isId(groupId) && isId(userId) && (await memberships.removeUser(tenantId, groupId, userId));
      if (!removed)
        throw new AppError('not_found', { detail: 'the user is not a direct member of this group' });
      await changed(tenantId, groupId, 'group.member_removed', ctx, { memberType: 'user', memberId: userId });
    },
    async addGroup(tenantId, parentId, childId, ctx) {
      const isNew = await added([parentId, childId], 'nested group', () =>
        memberships.addGroup(tenantId, parentId, childId, Date.now()),
      );
      if (isNew) {
        await changed(tenantId, parentId, 'group.member_added', ctx, {
          memberType: 'group',
          memberId: childId,
        });
      }
      return isNew;
    },
    async removeGroup(tenantId, parentId, childId, ctx) {
      const removed =
        isId(parentId) && isId(childId) && (await memberships.removeGroup(tenantId, parentId, childId));
      if (!removed) throw new AppError('not_found', { detail: 'the group is not nested in this group' });
      await changed(tenantId, parentId, 'group.member_removed', ctx, {
        memberType: 'group',
        memberId: childId,
      });
    },
    async listMembers(tenantId, groupId, options, type) {
      await mustGet(tenantId, groupId);
      const rows = await memberships.listMembers(tenantId, groupId, options, type);
      return toPage(
        rows,
        options,
        (r) => (options.sort === 'name' ? r.name_lower : Number(r.created_at)),
        toMemberView,
      );
    },
    async listUserGroups(tenantId, userId, options = {}) {
      if (!isId(userId) || !(await memberships.userExists(tenantId, userId))) {
        throw new AppError('not_found', { detail: 'no such user in this tenant' });
      }
      const rows = await memberships.userGroups(tenantId, userId, options.transitive === true);
      return rows.map(toUserGroupView);
    },
    groupNamesOfUsers: (tenantId, userIds) => memberships.groupNamesOfUsers(tenantId, userIds.filter(isId)),
  };
  return inUnits(database, service, [
    'create',
    'update',
    'delete',
    'addUser',
    'removeUser',
    'addGroup',
    'removeGroup',
  ]);
}
