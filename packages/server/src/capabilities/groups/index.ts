/**
 * The groups capability's public surface: groups per tenant with users and nested groups as members
 * (cycles refused), a user's groups (direct or transitive), and the admin routes. The service needs
 * the roles capability's effective-access cache, which every membership change invalidates.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerGroupRoutes } from './routes.ts';
import type { GroupsService } from './service.ts';

export {
  type AddResult,
  createMembershipStore,
  type MemberRow,
  type MembershipStore,
  nestingLock,
  type UserGroupRow,
} from './membership-store.ts';
export { registerGroupRoutes } from './routes.ts';
export {
  type CreateGroupInput,
  GROUP_SORTS,
  GroupSchema,
  type GroupSort,
  type GroupView,
  MEMBER_SORTS,
  type MemberSort,
  type MemberType,
  type MemberView,
  type UpdateGroupInput,
  type UserGroupView,
} from './schemas.ts';
export { createGroupsService, type GroupsDeps, type GroupsService, toGroupView } from './service.ts';
export { createGroupStore, type GroupFilters, type GroupRow, type GroupStore } from './store.ts';

/** The groups admin routes, registered under `/tenants/:tenant` behind the admin guard. */
export const groupsPlugin: FastifyPluginAsync<{ groups: GroupsService }> = async (app, { groups }) => {
  registerGroupRoutes(app, { groups });
};
