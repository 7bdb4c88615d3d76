/**
 * Request and response schemas of the roles API — roles, their assignment to users and groups, and a
 * user's effective access — one source for validation, types and OpenAPI. Ids in paths are bounded
 * strings, not UUID patterns: a malformed id is answered 404 like any unknown id.
 */
import Type, { type Static } from 'typebox';
import { listQueryProperties } from '../../http/pagination.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';
import { MAX_PERMISSIONS, NAME_MESSAGE, NAME_PATTERN, PERMISSION_PATTERN } from './permissions.ts';

export const ROLE_NAME_MAX = 64;
const Id = Str({ max: 64, description: 'Resource id (UUID)' });
const RoleName = Str({
  max: ROLE_NAME_MAX,
  pattern: NAME_PATTERN,
  message: NAME_MESSAGE,
  description: 'Unique per tenant, ignoring case',
});
const Description = Type.Union([Str({ max: 1024 }), Type.Null()], { description: 'Free text, or null' });
const Permissions = Type.Array(
  Str({ max: 65, pattern: PERMISSION_PATTERN, description: 'noun:verb, noun:* or *' }),
  { maxItems: MAX_PERMISSIONS, description: 'Permission strings; stored deduplicated and sorted' },
);

export const RoleSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    permissions: Type.Array(Type.String()),
    builtin: Type.Boolean({ description: 'Built-in roles cannot be changed or deleted' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  { $id: 'Role' },
);
export type RoleView = Static<typeof RoleSchema>;

export const CreateRoleBody = Obj({
  name: RoleName,
  description: Type.Optional(Description),
  permissions: Type.Optional(Permissions),
});
export type CreateRoleInput = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Obj({
  name: Type.Optional(RoleName),
  description: Type.Optional(Description),
  permissions: Type.Optional(Permissions),
});
export type UpdateRoleInput = Static<typeof UpdateRoleBody>;

export const ROLE_SORTS = ['name', 'createdAt'] as const;
export type RoleSort = (typeof ROLE_SORTS)[number];

export const ListRolesQuery = Obj({
  ...listQueryProperties(ROLE_SORTS),
  q: Type.Optional(Str({ max: ROLE_NAME_MAX, description: 'Name prefix (case-insensitive)' })),
  builtin: Type.Optional(Type.Boolean({ description: 'Only built-in (true) or custom (false) roles' })),
});
export type ListRolesQueryInput = Static<typeof ListRolesQuery>;

export { TenantParams };
export const RoleParams = tenantParams({ roleId: Id });
export const UserParams = tenantParams({ userId: Id });
export const UserRoleParams = tenantParams({ userId: Id, roleId: Id });
export const GroupParams = tenantParams({ groupId: Id });
export const GroupRoleParams = tenantParams({ groupId: Id, roleId: Id });

export const RoleListSchema = Type.Object({ items: Type.Array(RoleSchema) });

export const AccessSchema = Type.Object(
  {
    roles: Type.Array(Type.String(), { description: 'Names of the direct and group-inherited roles' }),
    permissions: Type.Array(Type.String(), { description: 'Union of those roles’ permissions' }),
  },
  { $id: 'EffectiveAccess' },
);
