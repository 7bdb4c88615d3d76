/**
 * The admin API's request and response types under the names the client uses. Every resource, input
 * and query type here is an alias into `generated/admin-api.ts`, which `npm run generate:client`
 * makes from the OpenAPI document the server serves: a route schema change reaches these types by
 * regenerating, and `generated-types.fresh.test.ts` fails until someone does. The client's own
 * additions are the lookups by path (`ResponseOf`, `RequestBodyOf`, `QueryOf`, for calls without a
 * helper), the paging shapes (`Page`, `ListQuery`) and the audit filter's `Date` convenience.
 * Timestamps are ISO-8601 strings, as sent.
 */
import type { components, paths } from './generated/admin-api.ts';

type Schemas = components['schemas'];

export type { components, paths };

/**
 * The `application/json` request body of an operation, by its path and method in `/openapi.json`.
 *
 * @example
 * type NewRole = RequestBodyOf<'/api/v1/tenants/{tenant}/roles', 'post'>;
 */
export type RequestBodyOf<
  Path extends keyof paths,
  Method extends keyof paths[Path],
> = paths[Path][Method] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/**
 * The `application/json` body of an operation's answer with the given status: the type argument of
 * `request()` for an operation without a helper.
 *
 * @example
 * type UserGroups = ResponseOf<'/api/v1/tenants/{tenant}/users/{userId}/groups', 'get', 200>;
 * const { data } = await admin.request<UserGroups>('GET', `/api/v1/tenants/acme/users/${id}/groups`);
 */
export type ResponseOf<
  Path extends keyof paths,
  Method extends keyof paths[Path],
  Status extends number,
> = paths[Path][Method] extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** The query parameters of an operation (all optional on the wire). */
export type QueryOf<
  Path extends keyof paths,
  Method extends keyof paths[Path],
> = paths[Path][Method] extends {
  parameters: { query?: infer Parameters };
}
  ? NonNullable<Parameters>
  : never;

// paging (the client's own: list helpers and paginate() walk these) --------------------------------

/** One page of a cursor-paginated list; pass `nextCursor` back as `cursor` for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging parameters shared by list endpoints. `sort` takes a field name, `-` prefixed for descending. */
export interface ListQuery<Sort extends string> {
  /** Page size, 1–200 (server default 50). */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  sort?: Sort | `-${Sort}`;
}

// tenants ------------------------------------------------------------------------------------------

/** `slug` is URL-safe; the tenant's issuer is `<public URL>/t/<slug>`. `version` is also the ETag. */
export type Tenant = Schemas['Tenant'];
export type TenantStatus = Tenant['status'];
export type CreateTenantInput = RequestBodyOf<'/api/v1/tenants', 'post'>;
/** Changing `status` (suspend / activate) needs an all-tenant credential. */
export type UpdateTenantInput = RequestBodyOf<'/api/v1/tenants/{tenant}', 'patch'>;
/** `q` is a slug prefix. */
export type ListTenantsQuery = QueryOf<'/api/v1/tenants', 'get'>;

// users --------------------------------------------------------------------------------------------

/** `version` is also sent as the ETag (`"<version>"`). */
export type User = Schemas['User'];
export type UserStatus = User['status'];
/** `locale` is a BCP 47 tag, `picture` an https URL; `password` is write-only, never returned. */
export type CreateUserInput = RequestBodyOf<'/api/v1/tenants/{tenant}/users', 'post'>;
/** Every field optional; `null` clears an optional field. */
export type UpdateUserInput = RequestBodyOf<'/api/v1/tenants/{tenant}/users/{userId}', 'patch'>;
/** `q` is a case-insensitive prefix of the username or the email. */
export type ListUsersQuery = QueryOf<'/api/v1/tenants/{tenant}/users', 'get'>;

// groups -------------------------------------------------------------------------------------------

/** `name` is unique per tenant, ignoring case. */
export type Group = Schemas['Group'];
export type CreateGroupInput = RequestBodyOf<'/api/v1/tenants/{tenant}/groups', 'post'>;
/** `q` is a name prefix, case-insensitive. */
export type ListGroupsQuery = QueryOf<'/api/v1/tenants/{tenant}/groups', 'get'>;

// admin API tokens ---------------------------------------------------------------------------------

/** A stored credential as listed and read back; the secret itself is never returned after creation. */
export type Credential = Schemas['Credential'];
/**
 * `abilities` are e.g. `users:read`, `groups:*`, `*` (a caller can only grant abilities it holds);
 * `expiresInDays` is 1–3650, omitted for a token that does not expire.
 */
export type CreateTokenInput = RequestBodyOf<'/api/v1/tenants/{tenant}/tokens', 'post'>;
/** `secret` is the token itself: shown once, store it now, it cannot be read again. */
export type CreatedToken = ResponseOf<'/api/v1/tenants/{tenant}/tokens', 'post', 201>;

// audit --------------------------------------------------------------------------------------------

/** One link of the audit hash chain; `actor` is e.g. `token:<id>`, `action` e.g. `user.created`. */
export type AuditEntry = Schemas['AuditEntry'];

/**
 * The audit filters. `tenant` reads one tenant's log (through `/tenants/{tenant}/audit`, so tenant
 * credentials work too); `action` is a prefix (`user.`); `from` (inclusive) and `to` (exclusive) also
 * take a `Date`. The cursor is `audit.list()`'s business.
 */
export interface ListAuditQuery extends Omit<QueryOf<'/api/v1/audit', 'get'>, 'cursor' | 'from' | 'to'> {
  from?: string | Date;
  to?: string | Date;
}
