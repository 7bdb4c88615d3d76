/**
 * Request and response schemas of the organization routes: validation at the edge, TypeScript types
 * and the OpenAPI document all come from these. Request schemas are strict (bounded strings, no
 * unknown properties); ids in paths are loose strings because a non-UUID id answers 404, not 400.
 */
import Type from 'typebox';
import { listQueryProperties, PageSchema } from '../../http/pagination.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';
import { MAX_MEMBER_ROLES, MAX_ROLE_NAME_LENGTH } from './membership-service.ts';
import { MAX_LEVELS, MAX_NAME_LENGTH } from './model.ts';

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** A path id: anything up to the router's parameter limit; the service answers 404 for non-UUIDs. */
const PathId = (description: string) => Str({ max: 512, description });

export { TenantParams };
export const OrgParams = tenantParams({ orgId: PathId('Organization or unit id') });
export const MemberParams = tenantParams({
  orgId: PathId('Organization or unit id'),
  userId: PathId('User id'),
});
export const UserParams = tenantParams({ userId: PathId('User id') });

const Name = Str({
  max: MAX_NAME_LENGTH,
  // no leading or trailing whitespace, no control characters
  pattern: '^[^\\s\\x00-\\x1f\\x7f](?:[^\\x00-\\x1f\\x7f]*[^\\s\\x00-\\x1f\\x7f])?$',
  description: `Name, unique among its siblings case-insensitively (1–${MAX_NAME_LENGTH} characters)`,
});

export const ORGANIZATION_SORTS = ['name', 'createdAt'] as const;
export const MEMBER_SORTS = ['userId'] as const;

export const ListOrganizationsQuery = Obj({
  ...listQueryProperties(ORGANIZATION_SORTS),
  parentId: Type.Optional(
    Str({
      max: 36,
      pattern: `^(root|${UUID_PATTERN.slice(1, -1)})$`,
      description: '`root` for top-level organizations, or an id for the direct children of that node',
    }),
  ),
  kind: Type.Optional(Type.Union([Type.Literal('organization'), Type.Literal('unit')])),
});

export const ListMembersQuery = Obj({ ...listQueryProperties(MEMBER_SORTS) });

export const CreateOrganizationBody = Obj({
  name: Name,
  parentId: Type.Optional(
    PathId(
      'Parent organization or unit; present: the new node is a unit under it, absent: a top-level organization',
    ),
  ),
});

export const RenameOrganizationBody = Obj({ name: Name });

export const MoveOrganizationBody = Obj({
  parentId: PathId('The new parent (an organization or unit of the same tenant)'),
});

export const SetMemberBody = Obj({
  roles: Type.Array(Str({ max: MAX_ROLE_NAME_LENGTH, description: 'Role name' }), {
    minItems: 1,
    maxItems: MAX_MEMBER_ROLES,
    description: `The member's complete role set, by role name (1–${MAX_MEMBER_ROLES}); replaces any previous set`,
  }),
});

const Kind = Type.Union([Type.Literal('organization'), Type.Literal('unit')]);
const DateTime = Type.String({ format: 'date-time' });

const organizationProperties = {
  id: Type.String({ format: 'uuid' }),
  parentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'null for a top-level organization',
  }),
  kind: Kind,
  name: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
  version: Type.Integer({ description: 'Current version; the ETag is this number in quotes' }),
};

export const OrganizationSchema = Type.Object(organizationProperties, {
  description: 'An organization (top level) or org unit',
});
export const OrganizationPage = PageSchema(OrganizationSchema);

/**
 * A node of an organization tree, recursive through `children`. It is a shared schema (registered
 * with `addSchema` by the routes, referenced by `$id`) so the serializer and the OpenAPI document
 * resolve the recursion the same way. Nesting is bounded by MAX_LEVELS.
 */
export const ORGANIZATION_TREE_ID = 'OrganizationTreeNode';
export const OrganizationTreeNodeSchema = Type.Object(
  {
    ...organizationProperties,
    children: Type.Array(Type.Ref(ORGANIZATION_TREE_ID), { description: 'Child units, by name' }),
  },
  {
    $id: ORGANIZATION_TREE_ID,
    description: `An organization or unit with its descendants (at most ${MAX_LEVELS} levels)`,
  },
);

export const MemberSchema = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  roles: Type.Array(Type.String(), { description: 'Role names' }),
});
export const MemberPage = PageSchema(MemberSchema);

export const UserMembershipsSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      orgId: Type.String({ format: 'uuid' }),
      orgName: Type.String(),
      kind: Kind,
      roles: Type.Array(Type.String(), { description: 'Role names held in this organization or unit' }),
    }),
  ),
});
