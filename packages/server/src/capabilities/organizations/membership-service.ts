/**
 * Memberships: a user belongs to an organization or unit with one or more roles, and may belong to
 * several. Roles are named in the API and resolved, case-insensitively, to the roles of the same
 * tenant; an unknown name is 400 naming it. A user or organization of another tenant is 404 (every
 * lookup is tenant-filtered). Setting a member replaces the whole role set in one transaction, under
 * a per-membership lock so concurrent writers of the same member serialise instead of colliding.
 */
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import {
  emitOrgEvent,
  type Member,
  notFound,
  requireId,
  sortRoleNames,
  type UserMembership,
} from './model.ts';
import type { MemberSort, OrganizationStore, OrgRow } from './store.ts';

/** Most roles one membership may carry. */
export const MAX_MEMBER_ROLES = 20;

/** Longest role name accepted (longer ones cannot name a role). */
export const MAX_ROLE_NAME_LENGTH = 128;

export interface SetMemberResult extends Member {
  /** True when the user was not a member before. */
  created: boolean;
}

export interface MembershipService {
  /** Makes the user a member with exactly `roleNames` (replacing any previous role set). */
  addMember(
    tenantId: string,
    orgId: string,
    userId: string,
    roleNames: readonly string[],
    ctx: ActionContext,
  ): Promise<SetMemberResult>;
  /** Removes the user (with every role) from the organization; 404 when not a member. */
  removeMember(tenantId: string, orgId: string, userId: string, ctx: ActionContext): Promise<void>;
  /** One page of an organization's members, ordered by user id. */
  listMembers(tenantId: string, orgId: string, options: ListOptions<MemberSort>): Promise<Page<Member>>;
  /** Every organization and unit the user belongs to, with the roles held there, by name. */
  listUserMemberships(tenantId: string, userId: string): Promise<UserMembership[]>;
}

export interface MembershipServiceDeps {
  store: OrganizationStore;
  bus: EventBus;
  slugOf: (tenantId: string) => Promise<string>;
  now: () => number;
  /** The organization row in the tenant, or not_found. */
  getRow(tenantId: string, orgId: string): Promise<OrgRow>;
}

function memberLockName(orgId: string, userId: string): string {
  return `org-member:${orgId}:${userId}`;
}

/** Lower-cased name → first spelling given, with its position (for error paths). */
function wantedRoles(roleNames: readonly string[]): Map<string, { name: string; index: number }> {
  if (roleNames.length === 0 || roleNames.length > MAX_MEMBER_ROLES) {
    throw new AppError('validation_failed', {
      detail: `roles must name 1–${MAX_MEMBER_ROLES} roles`,
    });
  }
  const wanted = new Map<string, { name: string; index: number }>();
  roleNames.forEach((name, index) => {
    if (name.length === 0 || name.length > MAX_ROLE_NAME_LENGTH) {
      throw new AppError('validation_failed', {
        detail: `roles/${index} must be 1–${MAX_ROLE_NAME_LENGTH} characters`,
      });
    }
    const lower = name.toLowerCase();
    if (!wanted.has(lower)) wanted.set(lower, { name, index });
  });
  return wanted;
}

export function createMembershipService(deps: MembershipServiceDeps): MembershipService {
  const { store, now, getRow } = deps;

  async function requireUser(tenantId: string, userId: string): Promise<void> {
    if (!(await store.userExists(tenantId, requireId(userId, 'user')))) throw notFound('user');
  }

  return {
    async addMember(tenantId, orgId, userId, roleNames, ctx) {
      requireId(orgId, 'organization');
      requireId(userId, 'user');
      const wanted = wantedRoles(roleNames);
      const result = await store.transact(memberLockName(orgId, userId), async (tx) => {
        if (!(await tx.find(tenantId, orgId))) throw notFound('organization');
        if (!(await tx.userExists(tenantId, userId))) throw notFound('user');
        const roles = await tx.findRoles(tenantId, [...wanted.keys()]);
        const known = new Set(roles.map((r) => r.nameLower));
        const unknown = [...wanted].filter(([lower]) => !known.has(lower)).map(([, w]) => w);
        if (unknown.length > 0) {
          throw new AppError('validation_failed', {
            detail: `unknown role${unknown.length > 1 ? 's' : ''}: ${unknown.map((w) => `"${w.name}"`).join(', ')}`,
            extensions: {
              errors: unknown.map((w) => ({
                path: `body/roles/${w.index}`,
                message: 'no role of that name',
              })),
            },
          });
        }
        const previous = await tx.memberOf(tenantId, orgId, userId);
        await tx.replaceMember(
          tenantId,
          orgId,
          userId,
          roles.map((r) => r.id),
          previous?.since ?? now(),
        );
        return {
          roles: sortRoleNames(roles.map((r) => r.name)),
          previous: sortRoleNames(previous?.roles ?? []),
        };
      });
      await emitOrgEvent(deps, tenantId, 'org.member_added', `org:${orgId}`, ctx, {
        userId,
        roles: result.roles,
        previousRoles: result.previous,
      });
      return { userId, roles: result.roles, created: result.previous.length === 0 };
    },

    async removeMember(tenantId, orgId, userId, ctx) {
      requireId(orgId, 'organization');
      requireId(userId, 'user');
      const previous = await store.transact(memberLockName(orgId, userId), async (tx) => {
        if (!(await tx.find(tenantId, orgId))) throw notFound('organization');
        const member = await tx.memberOf(tenantId, orgId, userId);
        if (!member || !(await tx.removeMember(tenantId, orgId, userId))) throw notFound('membership');
        return sortRoleNames(member.roles);
      });
      await emitOrgEvent(deps, tenantId, 'org.member_removed', `org:${orgId}`, ctx, {
        userId,
        previousRoles: previous,
      });
    },

    async listMembers(tenantId, orgId, options) {
      const org = await getRow(tenantId, orgId);
      const ids = await store.listMemberIds(tenantId, org.id, options);
      const page = toPage(
        ids.map((id) => ({ id })),
        options,
        (r) => r.id,
        (r) => r.id,
      );
      const roles = await store.memberRoles(tenantId, org.id, page.items);
      const items = page.items
        .map((userId) => ({ userId, roles: sortRoleNames(roles.get(userId) ?? []) }))
        // a member removed between the two reads is left out rather than shown without roles
        .filter((m) => m.roles.length > 0);
      return { items, nextCursor: page.nextCursor };
    },

    async listUserMemberships(tenantId, userId) {
      await requireUser(tenantId, userId);
      const result: UserMembership[] = [];
      for (const row of await store.userMemberships(tenantId, userId)) {
        const last = result[result.length - 1];
        if (last?.orgId === row.orgId) last.roles.push(row.roleName);
        else result.push({ orgId: row.orgId, orgName: row.orgName, kind: row.kind, roles: [row.roleName] });
      }
      for (const m of result) sortRoleNames(m.roles);
      return result;
    },
  };
}
