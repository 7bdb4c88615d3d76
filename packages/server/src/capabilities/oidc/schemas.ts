/**
 * Request and response schemas of the oidc admin API: signing keys, resource servers, trust links.
 * One source for validation, types and OpenAPI.
 */
import Type, { type Static } from 'typebox';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { MAX_SCOPES, SCOPE_PATTERN } from '../clients/rules.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';

const Scope = Str({ max: 128, pattern: SCOPE_PATTERN });
const Scopes = Type.Array(Scope, { maxItems: MAX_SCOPES });
const Time = Type.String({ format: 'date-time' });

export { TenantParams };

export const SigningKeySchema = Type.Object(
  {
    kid: Type.String(),
    alg: Type.String(),
    state: Type.Union([Type.Literal('pending'), Type.Literal('signing'), Type.Literal('retired')]),
    createdAt: Time,
    activatesAt: Time,
    expiresAt: Type.Union([Time, Type.Null()]),
  },
  { $id: 'SigningKey' },
);

export const RotateKeyBody = Obj({
  alg: Type.Optional(Type.Union([Type.Literal('RS256'), Type.Literal('ES256'), Type.Literal('EdDSA')])),
});
export type RotateKeyInput = Static<typeof RotateKeyBody>;

export const ResourceServerSchema = Type.Object(
  {
    id: Type.String(),
    identifier: Type.String({ description: 'The audience (an absolute URI, RFC 8707)' }),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    tokenFormat: Type.Union([Type.Literal('jwt'), Type.Literal('opaque')]),
    accessTokenTtl: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Time,
  },
  { $id: 'ResourceServer' },
);

export const CreateResourceBody = Obj({
  identifier: Str({ max: 2048, description: 'The audience: an absolute URI without a fragment' }),
  name: Type.Optional(Str({ max: 128 })),
  scopes: Type.Optional(Scopes),
  tokenFormat: Type.Optional(Type.Union([Type.Literal('jwt'), Type.Literal('opaque')])),
  accessTokenTtl: Type.Optional(Type.Union([Int({ min: 60, max: 86_400 }), Type.Null()])),
});
export type CreateResourceBodyInput = Static<typeof CreateResourceBody>;

export const ResourceParams = tenantParams({ id: Str({ max: 2048, description: 'Id or identifier' }) });

export const TrustLinkSchema = Type.Object(
  {
    id: Type.String(),
    client: Type.String({ description: "The calling client's id" }),
    resourceServer: Type.String(),
    audience: Type.String(),
    scopes: Type.Array(Type.String()),
    delegation: Type.Boolean({ description: 'May act on behalf of a user (token exchange, jwt-bearer)' }),
    createdAt: Time,
  },
  { $id: 'TrustLink' },
);

export const CreateTrustBody = Obj({
  client: Str({ max: 255, description: 'Client id, client_id or name' }),
  resourceServer: Str({ max: 2048, description: 'Resource server id or identifier' }),
  scopes: Type.Optional(Scopes),
  delegation: Type.Optional(Type.Boolean()),
});
export type CreateTrustInput = Static<typeof CreateTrustBody>;

export const TrustParams = tenantParams({ id: Str({ max: 64 }) });

export const ItemsOf = <T extends import('typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item) });

export const RegistrationPolicySchema = Type.Object(
  {
    enabled: Type.Boolean({ description: 'Dynamic client registration (RFC 7591) at <issuer>/reg' }),
    redirectUriPatterns: Type.Array(Type.String(), {
      description: 'scheme://host[:port|:*][/path[*]]; https, or http on loopback',
    }),
    defaultScopes: Type.Array(Type.String(), { description: 'Scopes of a client that asks for none' }),
    unusedClientDays: Type.Integer({
      description: 'Registered clients unused this long are deleted; 0: never',
    }),
    metadataDocuments: Type.Boolean({
      description:
        'Whether clients known by their Client ID Metadata Document (an https client_id) are accepted',
    }),
    metadataDocumentPatterns: Type.Array(Type.String(), {
      description: 'https://host[:port][/path[*]] patterns their client_id must match; empty: any https URL',
    }),
    blockedMetadataClients: Type.Array(Type.String(), {
      description: 'Metadata-document client_ids refused (with every token they hold)',
    }),
    updatedAt: Type.Union([Time, Type.Null()]),
    version: Type.Integer(),
  },
  { $id: 'RegistrationPolicy' },
);

export const RegistrationPolicyBody = Obj({
  enabled: Type.Optional(Type.Boolean()),
  redirectUriPatterns: Type.Optional(Type.Array(Str({ max: 512 }), { maxItems: 32 })),
  defaultScopes: Type.Optional(Scopes),
  unusedClientDays: Type.Optional(Int({ min: 0, max: 3650 })),
  confidentialClients: Type.Optional(Type.Boolean()),
  metadataDocuments: Type.Optional(Type.Boolean()),
  metadataDocumentPatterns: Type.Optional(Type.Array(Str({ max: 512 }), { maxItems: 32 })),
  blockedMetadataClients: Type.Optional(Type.Array(Str({ max: 2048 }), { maxItems: 1000 })),
});
export type RegistrationPolicyInput = Static<typeof RegistrationPolicyBody>;

export const RegistrationTokenBody = Obj({
  ttlSeconds: Type.Optional(Int({ min: 60, max: 31_536_000, description: 'Default: one day' })),
});

export const RegistrationTokenSchema = Type.Object(
  {
    id: Type.String({ description: "The token's id (its SHA-256 digest): list and revoke it by this" }),
    token: Type.String({
      description: 'The initial access token (Authorization: Bearer at /reg), shown once',
    }),
    expiresAt: Time,
    registrationEndpoint: Type.String(),
  },
  { $id: 'RegistrationToken' },
);

export const RegistrationTokenInfoSchema = Type.Object(
  {
    id: Type.String({ description: 'The SHA-256 digest of the token (base64url)' }),
    issuedAt: Type.Union([Time, Type.Null()]),
    expiresAt: Type.Union([Time, Type.Null()]),
  },
  { $id: 'RegistrationTokenInfo' },
);

export const RegistrationTokenParams = tenantParams({ id: Str({ max: 64 }) });
