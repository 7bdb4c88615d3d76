/** Request and response schemas of the tenants API (validation, types and OpenAPI from one source). */
import Type, { type Static, type TSchema } from 'typebox';
import { listQueryProperties } from '../../http/pagination.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import { DISPLAY_NAME_RULE, DOMAIN_RULE, MAX_DOMAINS, SLUG_RULE } from './rules.ts';

export { SLUG_PATTERN } from './rules.ts';

/** The tenant slug, in bodies and in every `{tenant}` path parameter. */
export const Slug = Str(SLUG_RULE);
export const Domain = Str(DOMAIN_RULE);
const Domains = Type.Array(Domain, { maxItems: MAX_DOMAINS, uniqueItems: true });
const Status = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);

export const TenantSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    displayName: Type.String(),
    status: Status,
    domains: Type.Array(Type.String()),
    issuer: Type.String({ description: 'OIDC issuer of this tenant' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  { $id: 'Tenant' },
);
export type TenantView = Static<typeof TenantSchema>;

export const CreateTenantBody = Obj({
  slug: Slug,
  displayName: Str(DISPLAY_NAME_RULE),
  domains: Type.Optional(Domains),
});
export type CreateTenantInput = Static<typeof CreateTenantBody>;

export const UpdateTenantBody = Obj({
  displayName: Type.Optional(Str(DISPLAY_NAME_RULE)),
  status: Type.Optional(Status),
  domains: Type.Optional(Domains),
});
export type UpdateTenantInput = Static<typeof UpdateTenantBody>;

export const TENANT_SORTS = ['slug', 'createdAt'] as const;
export type TenantSort = (typeof TENANT_SORTS)[number];

export const ListTenantsQuery = Obj({
  ...listQueryProperties(TENANT_SORTS),
  status: Type.Optional(Status),
  q: Type.Optional(Str({ max: 63, description: 'Slug prefix' })),
});

/**
 * The one `{tenant}` path parameter schema; every tenant-scoped route's params extend it (the admin
 * guard checks the same rule on `onRequest`, before it resolves the slug).
 */
export const TenantParams = Obj({ tenant: Slug });

/** Path parameters of a tenant-scoped route: `{tenant}` plus the route's own. */
export function tenantParams<T extends Record<string, TSchema>>(properties: T) {
  return Obj({ tenant: Slug, ...properties });
}
