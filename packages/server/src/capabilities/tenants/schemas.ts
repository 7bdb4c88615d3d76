/** Request and response schemas of the tenants API (validation, types and OpenAPI from one source). */
import Type, { type Static } from 'typebox';
import { listQueryProperties } from '../../http/pagination.ts';
import { Obj, Str } from '../../http/schema-kit.ts';

/** Slugs appear in issuer URLs (`/t/<slug>`): lower-case letters, digits and single hyphens. */
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$';
const DOMAIN_PATTERN = '^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$';

export const Slug = Str({
  min: 1,
  max: 63,
  pattern: SLUG_PATTERN,
  description: 'URL-safe tenant identifier',
});
export const Domain = Str({
  min: 4,
  max: 253,
  pattern: DOMAIN_PATTERN,
  description: 'Custom domain (lower case)',
});
const Domains = Type.Array(Domain, { maxItems: 20, uniqueItems: true });
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
  displayName: Str({ max: 200 }),
  domains: Type.Optional(Domains),
});
export type CreateTenantInput = Static<typeof CreateTenantBody>;

export const UpdateTenantBody = Obj({
  displayName: Type.Optional(Str({ max: 200 })),
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

export const TenantParams = Obj({ tenant: Slug });
