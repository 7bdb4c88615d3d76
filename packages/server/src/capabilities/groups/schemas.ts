/**
 * Request and response schemas of the groups API — groups, their members (users and nested groups)
 * and a user's groups — one source for validation, types and OpenAPI. Ids in paths are bounded
 * strings, not UUID patterns: a malformed id is answered 404 like any unknown id.
 */
import Type, { type Static } from 'typebox';
import { listQueryProperties } from '../../http/pagination.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import { NAME_MESSAGE, NAME_PATTERN } from '../roles/index.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';

export const GROUP_NAME_MAX = 128;
const Id = Str({ max: 64, description: 'Resource id (UUID)' });
const GroupName = Str({
  max: GROUP_NAME_MAX,
  pattern: NAME_PATTERN,
  message: NAME_MESSAGE,
  description: 'Unique per tenant, ignoring case',
});
const Description = Type.Union([Str({ max: 1024 }), Type.Null()], { description: 'Free text, or null' });

export const GroupSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  { $id: 'Group' },
);
export type GroupView = Static<typeof GroupSchema>;

export const CreateGroupBody = Obj({ name: GroupName, description: Type.Optional(Description) });
export type CreateGroupInput = Static<typeof CreateGroupBody>;

export const UpdateGroupBody = Obj({
  name: Type.Optional(GroupName),
  description: Type.Optional(Description),
});
export type UpdateGroupInput = Static<typeof UpdateGroupBody>;

export const GROUP_SORTS = ['name', 'createdAt'] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export const ListGroupsQuery = Obj({
  ...listQueryProperties(GROUP_SORTS),
  q: Type.Optional(Str({ max: GROUP_NAME_MAX, description: 'Name prefix (case-insensitive)' })),
});
export type ListGroupsQueryInput = Static<typeof ListGroupsQuery>;

const MemberType = Type.Union([Type.Literal('user'), Type.Literal('group')]);
export type MemberType = Static<typeof MemberType>;

export const MemberSchema = Type.Object(
  {
    type: MemberType,
    id: Type.String(),
    name: Type.String({ description: 'Username of a user, name of a nested group' }),
    addedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'GroupMember' },
);
export type MemberView = Static<typeof MemberSchema>;

export const MEMBER_SORTS = ['addedAt', 'name'] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

export const ListMembersQuery = Obj({
  ...listQueryProperties(MEMBER_SORTS),
  type: Type.Optional(MemberType),
});
export type ListMembersQueryInput = Static<typeof ListMembersQuery>;

export const UserGroupSchema = Type.Object(
  {
    ...GroupSchema.properties,
    direct: Type.Boolean({ description: 'True for a direct membership, false when only through nesting' }),
  },
  { $id: 'UserGroup' },
);
export type UserGroupView = Static<typeof UserGroupSchema>;

export const UserGroupsQuery = Obj({
  transitive: Type.Optional(
    Type.Boolean({ default: false, description: 'Include groups reached through nested groups' }),
  ),
});

export { TenantParams };
export const GroupParams = tenantParams({ groupId: Id });
export const GroupUserParams = tenantParams({ groupId: Id, userId: Id });
export const GroupChildParams = tenantParams({ groupId: Id, childId: Id });
export const UserParams = tenantParams({ userId: Id });
