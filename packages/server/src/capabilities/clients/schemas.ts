/**
 * Request and response schemas of the clients API: OAuth/OIDC clients of a tenant (confidential or
 * public; their redirect URIs, grants, scopes, authentication method and token lifetimes) and their
 * secrets (several at once for rotation, each with an optional expiry, shown once, stored as digests).
 * One source for validation, types and OpenAPI; the combination rules live in `rules.ts`.
 */
import Type, { type Static } from 'typebox';
import { listQueryProperties } from '../../http/pagination.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';
import {
  AUTH_METHODS,
  CLIENT_ID_PATTERN,
  GRANT_TYPES,
  INCLUDABLE_CLAIMS,
  MAX_SCOPES,
  MAX_URI_LENGTH,
  MAX_URIS,
  SCOPE_PATTERN,
} from './rules.ts';

const Uri = Str({ max: MAX_URI_LENGTH, description: 'Absolute URI, matched exactly' });
const Uris = Type.Array(Uri, { maxItems: MAX_URIS });
const Scope = Str({ max: 128, pattern: SCOPE_PATTERN });
const Kind = Type.Union([Type.Literal('confidential'), Type.Literal('public')], {
  description: 'confidential: holds secrets (a backend); public: cannot keep a secret (SPA, native, CLI)',
});
const AuthMethod = Type.Union(
  AUTH_METHODS.map((m) => Type.Literal(m)),
  { description: 'How the client authenticates at the token endpoint' },
);
const GrantType = Type.Union(GRANT_TYPES.map((g) => Type.Literal(g)));
const Ttl = Type.Union([Int({ min: 60, max: 31_536_000 }), Type.Null()], {
  description: 'Seconds; null for the tenant default',
});
/** A public JWK (RFC 7517): the members a signature key needs; private members are refused. */
const Jwk = Obj({
  kty: Type.Union([Type.Literal('RSA'), Type.Literal('EC'), Type.Literal('OKP')]),
  kid: Type.Optional(Str({ max: 128 })),
  use: Type.Optional(Type.Literal('sig')),
  alg: Type.Optional(Str({ max: 16 })),
  n: Type.Optional(Str({ max: 2048 })),
  e: Type.Optional(Str({ max: 16 })),
  crv: Type.Optional(Str({ max: 16 })),
  x: Type.Optional(Str({ max: 128 })),
  y: Type.Optional(Str({ max: 128 })),
});
const Jwks = Type.Union([Obj({ keys: Type.Array(Jwk, { minItems: 1, maxItems: 16 }) }), Type.Null()], {
  description: 'Public keys for private_key_jwt (a JWK Set of public keys), or null',
});
const ClaimMappingBody = Type.Union(
  [
    Obj({
      include: Type.Optional(
        Type.Array(Type.Union(INCLUDABLE_CLAIMS.map((c) => Type.Literal(c))), { maxItems: 8 }),
      ),
      rename: Type.Optional(
        Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 64 }), {
          maxProperties: 32,
          additionalProperties: false,
        }),
      ),
    }),
    Type.Null(),
  ],
  {
    description:
      'ID token / userinfo claims: include groups, roles, organizations without their scope; rename released claims ({"groups": "memberOf"}); null for none',
  },
);
const Name = Str({ max: 128, description: 'Display name, unique per tenant ignoring case' });

export const ClientSchema = Type.Object(
  {
    id: Type.String(),
    clientId: Type.String({ description: 'The OAuth client_id' }),
    name: Type.String(),
    kind: Kind,
    firstParty: Type.Boolean({ description: 'First-party clients skip the consent page' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    redirectUris: Type.Array(Type.String()),
    postLogoutRedirectUris: Type.Array(Type.String()),
    grantTypes: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    authMethod: Type.String(),
    jwks: Type.Union([Type.Object({ keys: Type.Array(Type.Unknown()) }), Type.Null()]),
    jwksUri: Type.Union([Type.String(), Type.Null()]),
    backchannelLogoutUri: Type.Union([Type.String(), Type.Null()], {
      description: 'Where the client receives OpenID back-channel logout tokens',
    }),
    claimMapping: Type.Union([
      Type.Object({
        include: Type.Array(Type.String()),
        rename: Type.Record(Type.String(), Type.String(), { additionalProperties: false }),
      }),
      Type.Null(),
    ]),
    accessTokenTtl: Type.Union([Type.Integer(), Type.Null()]),
    refreshTokenTtl: Type.Union([Type.Integer(), Type.Null()]),
    idTokenTtl: Type.Union([Type.Integer(), Type.Null()]),
    dynamic: Type.Boolean({
      description: 'Registered through dynamic client registration (RFC 7591); swept when left unused',
    }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When a dynamically registered client last obtained a token',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  { $id: 'Client' },
);
export type ClientView = Static<typeof ClientSchema>;

const editable = {
  name: Name,
  firstParty: Type.Optional(Type.Boolean()),
  redirectUris: Type.Optional(Uris),
  postLogoutRedirectUris: Type.Optional(Uris),
  grantTypes: Type.Optional(Type.Array(GrantType, { maxItems: GRANT_TYPES.length })),
  scopes: Type.Optional(Type.Array(Scope, { maxItems: MAX_SCOPES })),
  authMethod: Type.Optional(AuthMethod),
  jwks: Type.Optional(Jwks),
  jwksUri: Type.Optional(Type.Union([Uri, Type.Null()])),
  backchannelLogoutUri: Type.Optional(Type.Union([Uri, Type.Null()])),
  claimMapping: Type.Optional(ClaimMappingBody),
  accessTokenTtl: Type.Optional(Ttl),
  refreshTokenTtl: Type.Optional(Ttl),
  idTokenTtl: Type.Optional(Ttl),
};

export const CreateClientBody = Obj({
  ...editable,
  clientId: Type.Optional(Str({ max: 255, pattern: CLIENT_ID_PATTERN, description: 'Default: generated' })),
  kind: Type.Optional(Kind),
});
export type CreateClientInput = Static<typeof CreateClientBody>;

export const UpdateClientBody = Obj({
  ...editable,
  name: Type.Optional(Name),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
});
export type UpdateClientInput = Static<typeof UpdateClientBody>;

export const CreatedClientSchema = Type.Object(
  {
    client: ClientSchema,
    clientSecret: Type.Union([Type.String(), Type.Null()], {
      description: 'The first secret of a confidential client, shown once',
    }),
  },
  { $id: 'CreatedClient' },
);

export const ClientSecretSchema = Type.Object(
  {
    id: Type.String(),
    prefix: Type.String(),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ClientSecret' },
);
export type ClientSecretView = Static<typeof ClientSecretSchema>;

export const CreateSecretBody = Obj({
  expiresInDays: Type.Optional(Int({ min: 1, max: 3650, description: 'Default: never expires' })),
});

export const CreatedSecretSchema = Type.Object({
  secret: Type.String({ description: 'Shown once' }),
  credential: ClientSecretSchema,
});

export const CLIENT_SORTS = ['name', 'createdAt'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];

export const ListClientsQuery = Obj({
  ...listQueryProperties(CLIENT_SORTS),
  clientId: Type.Optional(Str({ max: 255, description: 'Exact client_id' })),
});
export type ListClientsQueryInput = Static<typeof ListClientsQuery>;

const Id = Str({ max: 64, description: 'Client id (the resource id, a UUID)' });

export { TenantParams };
export const ClientParams = tenantParams({ id: Id });
export const SecretParams = tenantParams({ id: Id, secretId: Str({ max: 64 }) });
