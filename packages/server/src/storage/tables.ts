/**
 * Row types of every table, as the database holds them. Migrations create these tables; stores read
 * and write them through `Kysely<Tables>`. Timestamps are epoch ms (`number`), flags are 0/1
 * integers, JSON is stored as text: one representation for SQLite and PostgreSQL alike.
 */
import type { Generated } from 'kysely';

export interface MigrationsTable {
  id: string;
  checksum: string;
  applied_at: number;
}

/** Runtime settings changed through the CLI or admin API; highest-precedence config source. */
export interface SettingsTable {
  key: string;
  /** JSON text; Fernet token when `encrypted` = 1. */
  value: string;
  encrypted: number;
  updated_at: number;
  updated_by: string;
}

export interface AuditLogTable {
  seq: number;
  ts: number;
  tenant: string | null;
  actor: string;
  action: string;
  target: string | null;
  result: string;
  request_id: string | null;
  /** Canonical JSON text of the event's data. */
  data: string;
  prev_hash: string;
  entry_hash: string;
}

export interface AuditCheckpointsTable {
  seq: number;
  entry_hash: string;
  ts: number;
  key_id: string;
  signature: string;
}

export interface AuditPrunesTable {
  through_seq: number;
  through_hash: string;
  pruned_at: number;
}

export interface TenantsTable {
  id: string;
  slug: string;
  display_name: string;
  status: 'active' | 'suspended';
  created_at: number;
  updated_at: number;
  version: number;
}

export interface TenantDomainsTable {
  domain: string;
  tenant_id: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  username: string;
  username_lower: string;
  /** Unicode TS #39 confusable skeleton of `username_lower` (migration 0007); look-alikes share one. */
  username_skeleton: string | null;
  email: string | null;
  email_lower: string | null;
  email_verified: number;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  locale: string | null;
  picture: string | null;
  status: 'active' | 'disabled' | 'locked';
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
  version: number;
}

export interface UserIdentitiesTable {
  tenant_id: string;
  user_id: string;
  provider: string;
  subject: string;
  /** JSON text. */
  data: string;
  created_at: number;
}

export interface UserAppPropertiesTable {
  tenant_id: string;
  user_id: string;
  app: string;
  key: string;
  value: string;
  updated_at: number;
}

export interface GroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  name_lower: string;
  description: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface GroupUsersTable {
  tenant_id: string;
  group_id: string;
  user_id: string;
  created_at: number;
}

export interface GroupGroupsTable {
  tenant_id: string;
  parent_id: string;
  child_id: string;
  created_at: number;
}

export interface RolesTable {
  id: string;
  tenant_id: string;
  name: string;
  name_lower: string;
  description: string | null;
  /** JSON array of permission strings. */
  permissions: string;
  builtin: number;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface UserRolesTable {
  tenant_id: string;
  user_id: string;
  role_id: string;
  created_at: number;
}

export interface GroupRolesTable {
  tenant_id: string;
  group_id: string;
  role_id: string;
  created_at: number;
}

export interface OrganizationsTable {
  id: string;
  tenant_id: string;
  parent_id: string | null;
  kind: 'organization' | 'unit';
  name: string;
  name_lower: string;
  /** parent_id, or '' for a top-level organization (so the sibling-name index works with NULLs). */
  parent_key: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface OrgMembersTable {
  tenant_id: string;
  org_id: string;
  user_id: string;
  role_id: string;
  created_at: number;
}

/** The one credential mechanism: every kind of secret token, stored by digest. */
export interface CredentialsTable {
  id: string;
  /** null: valid for every tenant (root administration). */
  tenant_id: string | null;
  kind: string;
  owner_type: 'user' | 'client' | 'system';
  owner_id: string | null;
  name: string;
  prefix: string;
  digest: string;
  /** JSON array of abilities. */
  abilities: string;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  created_at: number;
  created_by: string;
}

/** Audit events committed with their change, waiting for the sequencer to chain them. */
export interface AuditOutboxTable {
  id: Generated<number>;
  ts: number;
  tenant: string | null;
  actor: string;
  action: string;
  target: string | null;
  result: string;
  request_id: string | null;
  /** Canonical JSON text of the redacted event data. */
  data: string;
}

/** Durable cache invalidations, followed by every running process. */
export interface ChangeFeedTable {
  seq: Generated<number>;
  ts: number;
  channel: string;
  key: string;
  /** Id of the process that made the change (it delivered the change to itself already). */
  origin: string;
}

/** A tenant's OAuth/OIDC or service client; lists are JSON text. */
export interface ClientsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  name: string;
  name_lower: string;
  kind: 'confidential' | 'public';
  first_party: number;
  status: 'active' | 'disabled';
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  scopes: string;
  auth_method: string;
  jwks: string | null;
  jwks_uri: string | null;
  access_token_ttl: number | null;
  refresh_token_ttl: number | null;
  id_token_ttl: number | null;
  /** 1: registered through dynamic client registration (RFC 7591); swept when unused. */
  dynamic: number;
  /** Epoch ms of the last token the client obtained (tracked for dynamic clients), or null. */
  last_used_at: number | null;
  /** The client's claim mapping (JSON, see oidc/claims.ts), or null. */
  claim_mapping: string | null;
  /** Where the client receives back-channel logout tokens, or null. */
  backchannel_logout_uri: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

/** A provider session (uid) and the Gatekeeper session it was signed in with. */
/** A back-channel logout waiting for its next attempt (migration 0046). */
export interface OidcLogoutRetriesTable {
  id: string;
  tenant_id: string;
  slug: string;
  client_id: string;
  sub: string;
  sid: string | null;
  gk_session_id: string | null;
  /** Attempts that failed so far (the first included). */
  failed: number;
  due_at: number;
  created_at: number;
}

export interface OidcSessionLinksTable {
  tenant_id: string;
  session_uid: string;
  gk_session_id: string;
  user_id: string;
  created_at: number;
}

/** A tenant's dynamic client registration policy (RFC 7591). */
export interface OidcRegistrationPoliciesTable {
  tenant_id: string;
  enabled: number;
  /** JSON array of redirect URI patterns (oidc/registration.ts). */
  redirect_uri_patterns: string;
  /** JSON array of scopes a registered client gets when it asks for none. */
  default_scopes: string;
  unused_client_days: number;
  /** Whether confidential clients (a client secret) may register themselves (1) or not (0). */
  confidential_clients: number;
  /** Whether Client ID Metadata Document clients are accepted (1) or not (0). */
  metadata_documents: number;
  /** JSON array of client_id URL patterns they must match (empty: any https URL). */
  metadata_document_patterns: string;
  /** JSON array of blocked metadata-document client_ids. */
  blocked_metadata_clients: string;
  updated_at: number;
  version: number;
}

/** A gateway route: host + path pattern and, per method, the auth modes tried in order (JSON). */
export interface GatewayRoutesTable {
  id: string;
  tenant_id: string;
  host: string;
  path: string;
  /** The path pattern with parameter names erased (`/users/{}`): equal keys on one host tie. */
  path_key: string;
  /** JSON object: method (or `*`) → auth modes, e.g. `{"GET":["public"],"POST":["jwt","api_key"]}`. */
  methods: string;
  /** Audience a `jwt` credential must carry (the route's resource server). */
  audience: string | null;
  description: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

/** Who may call a gateway route: a client, a user or a role × methods, with required scopes. */
export interface GatewayPermissionsTable {
  id: string;
  tenant_id: string;
  route_id: string;
  subject_type: 'client' | 'user' | 'role';
  /** Client id (resource id), user id, or role name. */
  subject: string;
  /** JSON array of methods (`*` = every method). */
  methods: string;
  /** JSON array of scopes the caller must hold. */
  scopes: string;
  created_at: number;
  updated_at: number;
  version: number;
}

/** A gateway rate limit: per client, token or any caller; on one route or `*` (every route). */
export interface GatewayLimitsTable {
  id: string;
  tenant_id: string;
  subject_type: 'client' | 'token' | 'any';
  /** Client id, token (credential) id, or '' for any caller. */
  subject: string;
  route_key: string;
  quota: number | null;
  quota_window_seconds: number | null;
  burst: number | null;
  burst_window_seconds: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}

/** A client's HMAC shared secret (Fernet token: it is read back to verify signatures). */
export interface GatewayHmacSecretsTable {
  id: string;
  tenant_id: string;
  /** The owning client's resource id. */
  client: string;
  secret: string;
  /** First 12 hex digits of the secret's SHA-256, to tell secrets apart. */
  fingerprint: string;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  created_by: string;
}

/** A signed-in browser (migration 0020); the browser holds the id whose SHA-256 is `digest`. */
export interface SessionsTable {
  digest: string;
  /** Public handle (lists, revoke by id); never the cookie value. */
  id: string;
  tenant_id: string;
  user_id: string;
  /** JSON array of RFC 8176 `amr` values (`pwd`, `otp`, `hwk`, …). */
  amr: string;
  acr: string;
  ip: string;
  user_agent: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** Sign-in state of one account (migration 0021). */
export interface AccountStatesTable {
  tenant_id: string;
  user_id: string;
  failed_count: number;
  locked_until: number | null;
  must_change_password: number;
  password_changed_at: number | null;
  updated_at: number;
}

/** Earlier password hashes of a user, newest kept (migration 0021). */
export interface PasswordHistoryTable {
  id: string;
  tenant_id: string;
  user_id: string;
  hash: string;
  created_at: number;
}

/** A tenant's sign-in settings as one JSON document (migration 0021). */
export interface AccountSettingsTable {
  tenant_id: string;
  settings: string;
  updated_at: number;
  version: number;
}

/** A tenant's uploaded logo (migration 0045): the checked image as base64, named by its SHA-256. */
export interface BrandingLogosTable {
  tenant_id: string;
  content_type: string;
  data: string;
  digest: string;
  size: number;
  width: number;
  height: number;
  updated_at: number;
}

/** A queued mail message (migration 0025); `payload` is the Fernet-encrypted rendered message. */
export interface MailOutboxTable {
  id: string;
  tenant_id: string | null;
  template: string;
  recipient: string;
  /** Fernet token of the JSON message ({subject, text, html}); null once sent. */
  payload: string | null;
  status: 'pending' | 'sending' | 'sent' | 'dead';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  message_id: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** A tenant's override of a built-in mail template. */
export interface MailTemplatesTable {
  tenant_id: string;
  template: string;
  subject: string;
  text_body: string;
  html_body: string;
  updated_at: number;
  updated_by: string;
}

/** A magic link or password-reset link, by the SHA-256 digest of its token (migration 0026). */
export interface SignInLinksTable {
  digest: string;
  purpose: 'magic' | 'reset';
  tenant_id: string;
  user_id: string;
  /** Digest of the same-browser check cookie set when the link was requested. */
  check_digest: string | null;
  return_to: string | null;
  expires_at: number;
  created_at: number;
}

/** A user's TOTP seed (Fernet token) and the time step of the last accepted code (migration 0027). */
export interface MfaTotpTable {
  user_id: string;
  tenant_id: string;
  secret: string;
  last_step: number;
  confirmed_at: number | null;
  created_at: number;
}

export interface MfaBackupCodesTable {
  /** SHA-256 of `<user id>:<normalized code>`. */
  digest: string;
  user_id: string;
  tenant_id: string;
  created_at: number;
}

/** Who must use MFA in a tenant (migration 0028). */
export interface MfaRequirementsTable {
  tenant_id: string;
  subject_type: 'tenant' | 'group' | 'user';
  /** Group or user id; '' for the tenant. */
  subject_id: string;
  grace_days: number;
  created_at: number;
  created_by: string;
}

/** When a user's MFA grace period started (their first sign-in after MFA became required). */
export interface MfaGraceTable {
  user_id: string;
  tenant_id: string;
  started_at: number;
}

/** A WebAuthn credential (migration 0029). */
export interface PasskeysTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** base64url credential id. */
  credential_id: string;
  /** base64url COSE public key. */
  public_key: string;
  counter: number;
  /** JSON array of transports. */
  transports: string;
  device_type: string;
  backed_up: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

/** One oidc-provider artefact (see migration 0030); `payload` is JSON text without its id. */
export interface OidcPayloadsTable {
  tenant_id: string;
  model: string;
  id_digest: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** A tenant's signing key; `private_jwk` is a Fernet token. */
export interface OidcSigningKeysTable {
  id: string;
  tenant_id: string;
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  created_at: number;
  activates_at: number;
  expires_at: number | null;
  created_by: string;
}

/** An API tokens are issued for: audience, scopes (JSON array), token format. */
export interface OidcResourceServersTable {
  id: string;
  tenant_id: string;
  identifier: string;
  name: string;
  scopes: string;
  token_format: 'jwt' | 'opaque';
  access_token_ttl: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}

/** Which client may get tokens for which resource server, with which scopes (JSON array). */
export interface OidcTrustLinksTable {
  id: string;
  tenant_id: string;
  client: string;
  resource_server: string;
  scopes: string;
  delegation: number;
  created_at: number;
}

export interface Tables {
  tenants: TenantsTable;
  tenant_domains: TenantDomainsTable;
  users: UsersTable;
  user_identities: UserIdentitiesTable;
  user_app_properties: UserAppPropertiesTable;
  groups: GroupsTable;
  group_users: GroupUsersTable;
  group_groups: GroupGroupsTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  group_roles: GroupRolesTable;
  organizations: OrganizationsTable;
  org_members: OrgMembersTable;
  credentials: CredentialsTable;
  gk_migrations: MigrationsTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_prunes: AuditPrunesTable;
  audit_outbox: AuditOutboxTable;
  change_feed: ChangeFeedTable;
  clients: ClientsTable;
  gateway_routes: GatewayRoutesTable;
  gateway_permissions: GatewayPermissionsTable;
  gateway_limits: GatewayLimitsTable;
  gateway_hmac_secrets: GatewayHmacSecretsTable;
  sessions: SessionsTable;
  account_states: AccountStatesTable;
  password_history: PasswordHistoryTable;
  account_settings: AccountSettingsTable;
  branding_logos: BrandingLogosTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_resource_servers: OidcResourceServersTable;
  oidc_registration_policies: OidcRegistrationPoliciesTable;
  oidc_logout_retries: OidcLogoutRetriesTable;
  oidc_session_links: OidcSessionLinksTable;
  oidc_trust_links: OidcTrustLinksTable;
  mail_outbox: MailOutboxTable;
  mail_templates: MailTemplatesTable;
  sign_in_links: SignInLinksTable;
  mfa_totp: MfaTotpTable;
  mfa_backup_codes: MfaBackupCodesTable;
  mfa_requirements: MfaRequirementsTable;
  mfa_grace: MfaGraceTable;
  passkeys: PasskeysTable;
}

export type { Generated };
