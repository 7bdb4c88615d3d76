/**
 * Request and response shapes of the admin API, written by hand to match the server's route schemas
 * (`packages/server/src/capabilities/<name>/schemas.ts`, served as `/openapi.json`). The contract
 * test (`admin-client.contract.test.ts`) compares the property names of each response type with the
 * served OpenAPI document, so a server change that these types miss fails the build.
 * Timestamps are ISO-8601 strings, as sent.
 */

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

export type TenantStatus = 'active' | 'suspended';

export interface Tenant {
  id: string;
  /** URL-safe identifier; the tenant's issuer is `<public URL>/t/<slug>`. */
  slug: string;
  displayName: string;
  status: TenantStatus;
  domains: string[];
  /** OIDC issuer of this tenant. */
  issuer: string;
  createdAt: string;
  updatedAt: string;
  /** Also sent as the ETag (`"<version>"`). */
  version: number;
}

export interface CreateTenantInput {
  slug: string;
  displayName: string;
  domains?: string[];
}

/** Changing `status` (suspend / activate) needs an all-tenant credential. */
export interface UpdateTenantInput {
  displayName?: string;
  status?: TenantStatus;
  domains?: string[];
}

export interface ListTenantsQuery extends ListQuery<'slug' | 'createdAt'> {
  status?: TenantStatus;
  /** Slug prefix. */
  q?: string;
}

// users --------------------------------------------------------------------------------------------

export type UserStatus = 'active' | 'disabled' | 'locked';

export interface User {
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  locale: string | null;
  picture: string | null;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
  /** Also sent as the ETag (`"<version>"`). */
  version: number;
}

export interface CreateUserInput {
  username: string;
  email?: string | null;
  emailVerified?: boolean;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  /** BCP 47 tag, e.g. `pt-BR`. */
  locale?: string | null;
  /** An https URL. */
  picture?: string | null;
  status?: UserStatus;
  /** Write-only: never returned. */
  password?: string;
}

/** Every field optional; `null` clears an optional field. */
export interface UpdateUserInput {
  username?: string;
  email?: string | null;
  emailVerified?: boolean;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  locale?: string | null;
  picture?: string | null;
  status?: UserStatus;
}

export interface ListUsersQuery extends ListQuery<'username' | 'email' | 'createdAt'> {
  status?: UserStatus;
  /** Case-insensitive prefix of the username or the email. */
  q?: string;
  emailVerified?: boolean;
}

// groups -------------------------------------------------------------------------------------------

export interface Group {
  id: string;
  /** Unique per tenant, ignoring case. */
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CreateGroupInput {
  name: string;
  description?: string | null;
}

export interface ListGroupsQuery extends ListQuery<'name' | 'createdAt'> {
  /** Name prefix, case-insensitive. */
  q?: string;
}

// admin API tokens ---------------------------------------------------------------------------------

/** A stored credential as listed and read back; the secret itself is never returned after creation. */
export interface Credential {
  id: string;
  kind: string;
  /** Tenant slug, or null for an all-tenant credential. */
  tenant: string | null;
  name: string;
  /** Safe-to-show beginning of the secret. */
  prefix: string;
  abilities: string[];
  ownerType: string;
  ownerId: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export interface CreateTokenInput {
  name: string;
  /** e.g. `users:read`, `groups:*`, `*`. A caller can only grant abilities it holds itself. */
  abilities: string[];
  /** 1–3650; omitted: the token does not expire. */
  expiresInDays?: number;
}

export interface CreatedToken {
  /** The token itself. Shown once: store it now, it cannot be read again. */
  secret: string;
  credential: Credential;
}

// audit --------------------------------------------------------------------------------------------

/** One link of the audit hash chain. */
export interface AuditEntry {
  seq: number;
  time: string;
  /** Tenant slug, or null for platform events. */
  tenant: string | null;
  /** Who acted, e.g. `token:<id>`. */
  actor: string;
  /** e.g. `user.created`. */
  action: string;
  target: string | null;
  result: string;
  requestId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  entryHash: string;
}

export interface ListAuditQuery {
  /** A tenant's log only (read through `/tenants/{tenant}/audit`, so tenant credentials work too). */
  tenant?: string;
  /** Action prefix, e.g. `user.` or `tenant.updated`. */
  action?: string;
  /** Entries at or after this time. */
  from?: string | Date;
  /** Entries before this time. */
  to?: string | Date;
  /** Page size, 1–500 (server default 100). */
  limit?: number;
}
