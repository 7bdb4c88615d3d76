/**
 * Typed helpers over the admin API, one group per resource, each a thin call of `request()` or
 * `paginate()` with the path and types of one operation. Path segments are percent-encoded here, so
 * an id can never reach another route. Anything not covered has its path in `/openapi.json` and can
 * be called with `request()` directly.
 */
import type { HttpMethod, QueryParams, RequestOptions } from './admin-client.ts';
import type {
  AuditEntry,
  CreatedToken,
  CreateGroupInput,
  CreateTenantInput,
  CreateTokenInput,
  CreateUserInput,
  Group,
  ListAuditQuery,
  ListGroupsQuery,
  ListTenantsQuery,
  ListUsersQuery,
  Page,
  Tenant,
  UpdateTenantInput,
  UpdateUserInput,
  User,
} from './admin-types.ts';

/** What the helpers need from the client. */
export interface AdminTransport {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<{ data: T }>;
  paginate<T>(path: string, query?: QueryParams): AsyncIterable<T>;
}

/** Options of a change: `ifMatch` is an ETag (`"3"`) or a `version` the change must still apply to. */
export interface WriteOptions {
  ifMatch?: string | number;
}

export interface TenantsApi {
  /** Every tenant matching the query (all pages). Needs an all-tenant credential. */
  list(query?: ListTenantsQuery): AsyncIterable<Tenant>;
  /** One page; pass `nextCursor` as `cursor` for the next. */
  listPage(query?: ListTenantsQuery): Promise<Page<Tenant>>;
  get(slug: string): Promise<Tenant>;
  create(input: CreateTenantInput): Promise<Tenant>;
  update(slug: string, patch: UpdateTenantInput, options?: WriteOptions): Promise<Tenant>;
  /** Deletes the tenant and everything it owns (all-tenant credential only). */
  delete(slug: string, options?: WriteOptions): Promise<void>;
}

export interface UsersApi {
  list(tenant: string, query?: ListUsersQuery): AsyncIterable<User>;
  listPage(tenant: string, query?: ListUsersQuery): Promise<Page<User>>;
  get(tenant: string, userId: string): Promise<User>;
  /** By exact username, ignoring case (a `not_found` ProblemError when no user has it). */
  getByUsername(tenant: string, username: string): Promise<User>;
  /** By exact email, ignoring case (a `not_found` ProblemError when no user has it). */
  getByEmail(tenant: string, email: string): Promise<User>;
  create(tenant: string, input: CreateUserInput): Promise<User>;
  update(tenant: string, userId: string, patch: UpdateUserInput, options?: WriteOptions): Promise<User>;
  /** Also removes the user's identities, properties and memberships. */
  delete(tenant: string, userId: string, options?: WriteOptions): Promise<void>;
}

export interface GroupsApi {
  list(tenant: string, query?: ListGroupsQuery): AsyncIterable<Group>;
  listPage(tenant: string, query?: ListGroupsQuery): Promise<Page<Group>>;
  create(tenant: string, input: CreateGroupInput): Promise<Group>;
  /** Makes the user a direct member of the group (idempotent). */
  addUser(tenant: string, groupId: string, userId: string): Promise<void>;
}

export interface TokensApi {
  /**
   * Issues an admin API token scoped to `tenant`, or valid for all tenants with `null`. The secret
   * is in the result once and cannot be read back.
   */
  create(tenant: string | null, input: CreateTokenInput): Promise<CreatedToken>;
}

export interface AuditApi {
  /** Audit entries, newest first, across all pages. Without `tenant` it needs an all-tenant credential. */
  list(query?: ListAuditQuery): AsyncIterable<AuditEntry>;
}

export interface AdminResources {
  tenants: TenantsApi;
  users: UsersApi;
  groups: GroupsApi;
  tokens: TokensApi;
  audit: AuditApi;
}

const API = '/api/v1';
const seg = encodeURIComponent;
const tenantPath = (slug: string) => `${API}/tenants/${seg(slug)}`;
const isoOf = (value: string | Date | undefined) => (value instanceof Date ? value.toISOString() : value);

export function createAdminResources(transport: AdminTransport): AdminResources {
  const { request, paginate } = transport;
  const get = async <T>(path: string, query?: QueryParams) => (await request<T>('GET', path, { query })).data;
  const send = async <T>(method: HttpMethod, path: string, body?: unknown, options: WriteOptions = {}) =>
    (await request<T>(method, path, { body, ifMatch: options.ifMatch })).data;

  const tenants: TenantsApi = {
    list: (query = {}) => paginate<Tenant>(`${API}/tenants`, { ...query }),
    listPage: (query = {}) => get<Page<Tenant>>(`${API}/tenants`, { ...query }),
    get: (slug) => get<Tenant>(tenantPath(slug)),
    create: (input) => send<Tenant>('POST', `${API}/tenants`, input),
    update: (slug, patch, options) => send<Tenant>('PATCH', tenantPath(slug), patch, options),
    delete: (slug, options) => send<void>('DELETE', tenantPath(slug), undefined, options),
  };

  const usersPath = (tenant: string) => `${tenantPath(tenant)}/users`;
  const userPath = (tenant: string, userId: string) => `${usersPath(tenant)}/${seg(userId)}`;
  const users: UsersApi = {
    list: (tenant, query = {}) => paginate<User>(usersPath(tenant), { ...query }),
    listPage: (tenant, query = {}) => get<Page<User>>(usersPath(tenant), { ...query }),
    get: (tenant, userId) => get<User>(userPath(tenant, userId)),
    getByUsername: (tenant, username) => get<User>(`${usersPath(tenant)}/by-username/${seg(username)}`),
    getByEmail: (tenant, email) => get<User>(`${usersPath(tenant)}/by-email/${seg(email)}`),
    create: (tenant, input) => send<User>('POST', usersPath(tenant), input),
    update: (tenant, userId, patch, options) => send<User>('PATCH', userPath(tenant, userId), patch, options),
    delete: (tenant, userId, options) => send<void>('DELETE', userPath(tenant, userId), undefined, options),
  };

  const groupsPath = (tenant: string) => `${tenantPath(tenant)}/groups`;
  const groups: GroupsApi = {
    list: (tenant, query = {}) => paginate<Group>(groupsPath(tenant), { ...query }),
    listPage: (tenant, query = {}) => get<Page<Group>>(groupsPath(tenant), { ...query }),
    create: (tenant, input) => send<Group>('POST', groupsPath(tenant), input),
    addUser: (tenant, groupId, userId) =>
      send<void>('PUT', `${groupsPath(tenant)}/${seg(groupId)}/members/users/${seg(userId)}`),
  };

  const tokens: TokensApi = {
    create: (tenant, input) =>
      send<CreatedToken>('POST', tenant === null ? `${API}/tokens` : `${tenantPath(tenant)}/tokens`, input),
  };

  const audit: AuditApi = {
    list: ({ tenant, from, to, ...rest } = {}) =>
      paginate<AuditEntry>(tenant === undefined ? `${API}/audit` : `${tenantPath(tenant)}/audit`, {
        ...rest,
        from: isoOf(from),
        to: isoOf(to),
      }),
  };

  return { tenants, users, groups, tokens, audit };
}
