/**
 * Request and response schemas of the gateway's admin API (validation, types, OpenAPI).
 */
import Type from 'typebox';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { SCOPE_PATTERN } from '../credentials/index.ts';
import { Slug } from '../tenants/schemas.ts';
import { AUTH_MODES, METHOD_PATTERN } from './policy/model.ts';

const Method = Str({ max: 16, pattern: METHOD_PATTERN });
const Mode = Type.Union(AUTH_MODES.map((m) => Type.Literal(m)));
const Auth = Type.Record(
  Type.String({ maxLength: 16, pattern: METHOD_PATTERN }),
  Type.Array(Mode, { minItems: 1, maxItems: 5 }),
  {
    maxProperties: 20,
    additionalProperties: false,
    description:
      'Method (or *) → auth modes tried in order, e.g. {"GET":["public"],"POST":["hmac","api_key"]}',
  },
);
const Scope = Str({ max: 65, pattern: SCOPE_PATTERN });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const RouteSchema = Type.Object(
  {
    id: Type.String(),
    host: Type.String(),
    path: Type.String(),
    auth: Type.Record(Type.String(), Type.Array(Type.String())),
    audience: Nullable(Type.String()),
    description: Nullable(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
    version: Type.Integer(),
  },
  { $id: 'GatewayRoute' },
);

export const CreateRouteBody = Obj({
  host: Str({ max: 255, description: 'api.example.com, *.example.com or *' }),
  path: Str({ max: 1024, description: '/exact, /prefix/*, /users/{id}' }),
  auth: Auth,
  audience: Type.Optional(Type.Union([Str({ max: 512 }), Type.Null()])),
  description: Type.Optional(Type.Union([Str({ max: 500 }), Type.Null()])),
});
export const UpdateRouteBody = Obj({
  host: Type.Optional(Str({ max: 255 })),
  path: Type.Optional(Str({ max: 1024 })),
  auth: Type.Optional(Auth),
  audience: Type.Optional(Type.Union([Str({ max: 512 }), Type.Null()])),
  description: Type.Optional(Type.Union([Str({ max: 500 }), Type.Null()])),
});

export const PermissionSchema = Type.Object(
  {
    id: Type.String(),
    routeId: Type.String(),
    subjectType: Type.Union([Type.Literal('client'), Type.Literal('user'), Type.Literal('role')]),
    subject: Type.String(),
    methods: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
    version: Type.Integer(),
  },
  { $id: 'GatewayPermission' },
);
export const GrantBody = Obj({
  routeId: Str({ max: 64 }),
  client: Type.Optional(Str({ max: 255, description: 'client id, client_id or name' })),
  user: Type.Optional(Str({ max: 255, description: 'user id, username or email' })),
  role: Type.Optional(Str({ max: 64, description: 'role name' })),
  methods: Type.Array(Method, { minItems: 1, maxItems: 20 }),
  scopes: Type.Optional(Type.Array(Scope, { maxItems: 50 })),
});
export const PermissionQuery = Obj({
  limit: Type.Optional(Int({ min: 1, max: 200, default: 50 })),
  cursor: Type.Optional(Str({ max: 1024 })),
  routeId: Type.Optional(Str({ max: 64 })),
});

export const LimitSchema = Type.Object(
  {
    id: Type.String(),
    subjectType: Type.Union([Type.Literal('client'), Type.Literal('token'), Type.Literal('any')]),
    subject: Type.String(),
    routeId: Nullable(Type.String()),
    quota: Type.Union([Type.Integer(), Type.Null()]),
    quotaWindowSeconds: Type.Union([Type.Integer(), Type.Null()]),
    burst: Type.Union([Type.Integer(), Type.Null()]),
    burstWindowSeconds: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: DateTime,
    updatedAt: DateTime,
    version: Type.Integer(),
  },
  { $id: 'GatewayLimit' },
);
const Count = Type.Optional(Type.Union([Int({ min: 1, max: 1_000_000_000 }), Type.Null()]));
const Window = Type.Optional(Type.Union([Int({ min: 1, max: 2_678_400 }), Type.Null()]));
export const LimitBody = Obj({
  client: Type.Optional(Str({ max: 255 })),
  token: Type.Optional(Str({ max: 64 })),
  routeId: Type.Optional(Type.Union([Str({ max: 64 }), Type.Null()])),
  quota: Count,
  quotaWindowSeconds: Window,
  burst: Count,
  burstWindowSeconds: Window,
});

export const HmacSecretSchema = Type.Object(
  {
    id: Type.String(),
    clientId: Type.String(),
    fingerprint: Type.String(),
    expiresAt: Nullable(DateTime),
    revokedAt: Nullable(DateTime),
    createdAt: DateTime,
    createdBy: Type.String(),
  },
  { $id: 'GatewayHmacSecret' },
);
export const HmacCreateBody = Obj({ expiresInDays: Type.Optional(Int({ min: 1, max: 3650 })) });

export const ExplainBody = Obj({
  method: Str({ max: 16, pattern: '^[A-Z]{1,16}$' }),
  url: Str({ max: 8192, description: 'https://api.example.com/path?query' }),
  headers: Type.Optional(
    Type.Record(Type.String({ maxLength: 64 }), Str({ min: 0, max: 8192 }), {
      maxProperties: 50,
      additionalProperties: false,
    }),
  ),
});
export const ExplainSchema = Type.Object({
  allow: Type.Boolean(),
  status: Type.Integer(),
  reason: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Optional(Type.String()),
  routeId: Type.Union([Type.String(), Type.Null()]),
  headers: Type.Record(Type.String(), Type.String()),
  steps: Type.Array(
    Type.Object({ step: Type.String(), outcome: Type.String(), detail: Type.Optional(Type.String()) }),
  ),
});

export const TenantParams = Obj({ tenant: Slug });
export const RouteParams = Obj({ tenant: Slug, routeId: Str({ max: 64 }) });
export const PermissionParams = Obj({ tenant: Slug, permissionId: Str({ max: 64 }) });
export const LimitParams = Obj({ tenant: Slug, limitId: Str({ max: 64 }) });
export const ClientParams = Obj({ tenant: Slug, client: Str({ max: 255 }) });
export const HmacParams = Obj({ tenant: Slug, client: Str({ max: 255 }), secretId: Str({ max: 64 }) });
