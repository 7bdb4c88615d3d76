/**
 * Dynamic client registration (RFC 7591) — the tenant's side: its policy (off by default; the
 * redirect URI patterns a registering client may use, the scopes it gets when it asks for none, how
 * many days a registered client may stay unused before it is swept), initial access tokens, and the
 * sweep. The protocol (the `/reg` endpoint, its errors) is oidc-provider's `registration` feature,
 * configured in registration-protocol.ts; a registered client becomes an ordinary client of the
 * clients capability, marked `dynamic`: public, or — where the policy allows confidential clients —
 * confidential, with a client secret Gatekeeper issues (stored as a digest, shown once).
 *
 * Initial access tokens are the library's `InitialAccessToken` model: stored through the adapter,
 * keyed by the SHA-256 digest of the token (never the token), usable until they expire or are
 * revoked. That digest is the token's id for listing and revoking (it names the row, and cannot be
 * turned back into the token); revoking deletes the row, so the library's next lookup at `/reg`
 * finds nothing and answers `invalid_token`, on every instance at once.
 *
 * The same policy says which clients known by their Client ID Metadata Document (an https client_id
 * serving the client's metadata; no registration) the tenant accepts: whether any (on by default),
 * from which client_id URL patterns (none: any https URL), and which client_ids are blocked. The
 * provider asks before fetching a document and on every use of one (`metadataClientAllowed`), so a
 * blocked client is refused at once — at the authorization and token endpoints, at introspection
 * and at `/authz` — with every token it holds.
 *
 * Redirect URI patterns: `scheme://host[:port|:*][/path[*]]` — `*` as the port is any port (RFC 8252
 * §7.3 loopback redirects), no path is any path, a path ending in `*` is a prefix, else the path is
 * exact; https anywhere, http only on a loopback host.
 */
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import type { TenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import type { OidcRegistrationPoliciesTable } from '../../storage/tables.ts';
import { toIso } from '../../storage/time.ts';
import { checkScopes } from '../clients/rules.ts';
import type { ClientsService } from '../clients/service.ts';
import { payloadDigest } from './payload-store.ts';

export interface RegistrationPolicy {
  enabled: boolean;
  redirectUriPatterns: string[];
  defaultScopes: string[];
  /** 0: registered clients are never swept. */
  unusedClientDays: number;
  /** Whether a registering client may be confidential (client_secret_basic or _post). */
  confidentialClients: boolean;
  /** Whether Client ID Metadata Document clients are accepted. */
  metadataDocuments: boolean;
  /** The client_id URL patterns they must match (the redirect URI grammar, https); empty: any. */
  metadataDocumentPatterns: string[];
  /** Metadata-document client_ids refused whatever the patterns say. */
  blockedMetadataClients: string[];
  updatedAt: string | null;
  version: number;
}

/** An outstanding initial access token (never its value). */
export interface RegistrationTokenView {
  /** The SHA-256 digest of the token (base64url). */
  id: string;
  issuedAt: string | null;
  expiresAt: string | null;
}

export type RegistrationPolicyInput = Partial<
  Pick<
    RegistrationPolicy,
    | 'enabled'
    | 'redirectUriPatterns'
    | 'defaultScopes'
    | 'unusedClientDays'
    | 'confidentialClients'
    | 'metadataDocuments'
    | 'metadataDocumentPatterns'
    | 'blockedMetadataClients'
  >
>;

export const LOOPBACK_PATTERNS = ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'];

export const DEFAULT_REGISTRATION_POLICY: RegistrationPolicy = {
  enabled: false,
  redirectUriPatterns: LOOPBACK_PATTERNS,
  defaultScopes: ['openid'],
  unusedClientDays: 30,
  confidentialClients: false,
  metadataDocuments: true,
  metadataDocumentPatterns: [],
  blockedMetadataClients: [],
  updatedAt: null,
  version: 0,
};

const MAX_PATTERNS = 32;
const MAX_BLOCKED = 1000;
const SYSTEM: ActionContext = { actor: 'system', requestId: null };
const MAX_TOKEN_TTL = 365 * 86_400;
const TOKEN_MODEL = 'InitialAccessToken';
const TOKEN_ID = /^[A-Za-z0-9_-]{43}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const PATTERN = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\*|\d{1,5}))?(\/[^\s?#*]*\*?)?$/;

interface ParsedPattern {
  scheme: string;
  host: string;
  port: string | null;
  path: string | null;
}

function parsePattern(pattern: string): ParsedPattern | null {
  const m = PATTERN.exec(pattern);
  if (!m) return null;
  return { scheme: m[1]!, host: m[2]!.toLowerCase(), port: m[3] ?? null, path: m[4] ?? null };
}

/** A pattern's problem (see the file header), or null when it is well formed. */
export function patternProblem(pattern: string): string | null {
  const p = pattern.length <= 512 ? parsePattern(pattern) : null;
  if (!p) return `"${pattern.slice(0, 80)}" is not scheme://host[:port|:*][/path[*]]`;
  if (p.scheme === 'http' && !LOOPBACK.has(p.host))
    return `"${pattern.slice(0, 80)}": plain http only on a loopback host`;
  return null;
}

/** Whether a redirect URI falls under a pattern. */
export function matchesPattern(uri: string, pattern: string): boolean {
  const p = parsePattern(pattern);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (!p || url.protocol !== `${p.scheme}:` || url.hostname.toLowerCase() !== p.host) return false;
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  if (p.port !== '*' && url.port !== (p.port ?? '')) return false;
  if (p.path === null) return true;
  if (p.path.endsWith('*')) return url.pathname.startsWith(p.path.slice(0, -1));
  return url.pathname === p.path;
}

/** Whether the tenant accepts the Client ID Metadata Document client `clientId` (see the header). */
export function metadataClientAllowed(policy: RegistrationPolicy, clientId: string): boolean {
  if (!policy.metadataDocuments || policy.blockedMetadataClients.includes(clientId)) return false;
  return (
    policy.metadataDocumentPatterns.length === 0 ||
    policy.metadataDocumentPatterns.some((p) => matchesPattern(clientId, p))
  );
}

/** A blocked client_id's problem, or null: an https URL of at most 2048 characters. */
function blockedProblem(clientId: string): string | null {
  let url: URL | null = null;
  try {
    url = clientId.length <= 2048 ? new URL(clientId) : null;
  } catch {
    url = null;
  }
  return url?.protocol === 'https:' && url.href === clientId && !url.hash && !url.username && !url.password
    ? null
    : `"${clientId.slice(0, 80)}" is not an https client_id URL (as the client names itself)`;
}

export interface RegistrationService {
  /** The tenant's policy (cached, invalidated on every instance when it changes). */
  policy(tenantId: string): Promise<RegistrationPolicy>;
  setPolicy(
    tenantId: string,
    input: RegistrationPolicyInput,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<RegistrationPolicy>;
  /** Mints an initial access token (shown once; stored as a digest). */
  issueToken(
    tenantId: string,
    slug: string,
    input: { ttlSeconds?: number },
    ctx: ActionContext,
  ): Promise<{ id: string; token: string; expiresAt: string; registrationEndpoint: string }>;
  /** The tenant's unexpired initial access tokens, newest first. */
  listTokens(tenantId: string): Promise<RegistrationTokenView[]>;
  /** Revokes one (not_found when it is unknown, expired or revoked already). */
  revokeToken(tenantId: string, id: string, ctx: ActionContext): Promise<void>;
  /** Deletes the dynamically registered clients left unused past their tenant's limit; how many. */
  sweep(now: number): Promise<number>;
  start(): void;
  stop(): void;
}

export interface RegistrationDeps {
  database: Database;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  emit: TenantEventEmitter;
  clients: ClientsService;
  issuerOf(slug: string): string;
  /** Saves an initial access token with the tenant's provider; returns the token value. */
  saveInitialAccessToken(slug: string, ttlSeconds: number): Promise<string>;
}

function toPolicy(row: OidcRegistrationPoliciesTable | undefined): RegistrationPolicy {
  if (!row) return DEFAULT_REGISTRATION_POLICY;
  return {
    enabled: row.enabled === 1,
    redirectUriPatterns: JSON.parse(row.redirect_uri_patterns) as string[],
    defaultScopes: JSON.parse(row.default_scopes) as string[],
    unusedClientDays: row.unused_client_days,
    confidentialClients: row.confidential_clients === 1,
    metadataDocuments: row.metadata_documents === 1,
    metadataDocumentPatterns: JSON.parse(row.metadata_document_patterns) as string[],
    blockedMetadataClients: JSON.parse(row.blocked_metadata_clients) as string[],
    updatedAt: toIso(row.updated_at),
    version: row.version,
  };
}

export function createRegistrationService(deps: RegistrationDeps): RegistrationService {
  const { database } = deps;
  const { db } = database;
  const load = (tenantId: string) =>
    db
      .selectFrom('oidc_registration_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
  const cache = createInvalidatedCache<RegistrationPolicy>({
    name: 'oidc-registration',
    feed: deps.changes,
    ttlMs: 60_000,
    maxEntries: 20_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
    load: async (tenantId) => toPolicy(await load(tenantId)),
  });

  return {
    policy: (tenantId) => cache.get(tenantId),

    setPolicy: (tenantId, input, expected, ctx) =>
      database.write(async () => {
        const row = await load(tenantId);
        const current = toPolicy(row);
        if (expected !== undefined && expected !== current.version) throw new AppError('precondition_failed');
        const patterns = input.redirectUriPatterns ?? current.redirectUriPatterns;
        if (patterns.length > MAX_PATTERNS)
          throw new AppError('validation_failed', { detail: `redirectUriPatterns: at most ${MAX_PATTERNS}` });
        for (const p of patterns) {
          const problem = patternProblem(p);
          if (problem) throw new AppError('validation_failed', { detail: `redirectUriPatterns: ${problem}` });
        }
        const documentPatterns = input.metadataDocumentPatterns ?? current.metadataDocumentPatterns;
        if (documentPatterns.length > MAX_PATTERNS)
          throw new AppError('validation_failed', {
            detail: `metadataDocumentPatterns: at most ${MAX_PATTERNS}`,
          });
        for (const p of documentPatterns) {
          const problem =
            patternProblem(p) ?? (p.startsWith('https://') ? null : `"${p.slice(0, 80)}": https only`);
          if (problem)
            throw new AppError('validation_failed', { detail: `metadataDocumentPatterns: ${problem}` });
        }
        const blocked = input.blockedMetadataClients ?? current.blockedMetadataClients;
        if (blocked.length > MAX_BLOCKED)
          throw new AppError('validation_failed', {
            detail: `blockedMetadataClients: at most ${MAX_BLOCKED}`,
          });
        for (const id of blocked) {
          const problem = blockedProblem(id);
          if (problem)
            throw new AppError('validation_failed', { detail: `blockedMetadataClients: ${problem}` });
        }
        const defaultScopes = checkScopes(input.defaultScopes ?? current.defaultScopes);
        const days = input.unusedClientDays ?? current.unusedClientDays;
        if (!Number.isSafeInteger(days) || days < 0 || days > 3650)
          throw new AppError('validation_failed', { detail: 'unusedClientDays: 0 (never) to 3650' });
        const now = Date.now();
        const next: OidcRegistrationPoliciesTable = {
          tenant_id: tenantId,
          enabled: (input.enabled ?? current.enabled) ? 1 : 0,
          redirect_uri_patterns: JSON.stringify([...new Set(patterns)]),
          default_scopes: JSON.stringify(defaultScopes),
          unused_client_days: days,
          confidential_clients: (input.confidentialClients ?? current.confidentialClients) ? 1 : 0,
          metadata_documents: (input.metadataDocuments ?? current.metadataDocuments) ? 1 : 0,
          metadata_document_patterns: JSON.stringify([...new Set(documentPatterns)]),
          blocked_metadata_clients: JSON.stringify([...new Set(blocked)]),
          updated_at: now,
          version: current.version + 1,
        };
        if (row) {
          const { tenant_id: _t, ...set } = next;
          const updated = await db
            .updateTable('oidc_registration_policies')
            .set(set)
            .where('tenant_id', '=', tenantId)
            .where('version', '=', current.version)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) !== 1) throw new AppError('precondition_failed');
        } else {
          await db
            .insertInto('oidc_registration_policies')
            .values(next)
            .execute()
            .catch((err: unknown) => {
              if (database.dialect.isUniqueViolation(err)) throw new AppError('precondition_failed');
              throw err;
            });
        }
        await cache.invalidate(tenantId);
        const policy = toPolicy(next);
        await deps.emit(tenantId, 'oidc.registration_policy_changed', `tenant:${tenantId}`, ctx, {
          enabled: policy.enabled,
          redirectUriPatterns: policy.redirectUriPatterns,
          defaultScopes: policy.defaultScopes,
          unusedClientDays: policy.unusedClientDays,
          confidentialClients: policy.confidentialClients,
          metadataDocuments: policy.metadataDocuments,
          metadataDocumentPatterns: policy.metadataDocumentPatterns,
          blockedMetadataClients: policy.blockedMetadataClients,
        });
        return policy;
      }),

    async issueToken(tenantId, slug, input, ctx) {
      const ttl = input.ttlSeconds ?? 86_400;
      if (!Number.isSafeInteger(ttl) || ttl < 60 || ttl > MAX_TOKEN_TTL)
        throw new AppError('validation_failed', { detail: 'ttl: 60 seconds to 365 days' });
      const token = await deps.saveInitialAccessToken(slug, ttl);
      const id = payloadDigest(token);
      const expiresAt = toIso(Date.now() + ttl * 1000);
      await deps.emit(tenantId, 'oidc.registration_token_issued', `tenant:${tenantId}`, ctx, {
        tokenId: id,
        expiresAt,
      });
      return { id, token, expiresAt, registrationEndpoint: `${deps.issuerOf(slug)}/reg` };
    },

    async listTokens(tenantId) {
      const rows = await db
        .selectFrom('oidc_payloads')
        .select(['id_digest', 'payload', 'expires_at'])
        .where('tenant_id', '=', tenantId)
        .where('model', '=', TOKEN_MODEL)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', Date.now())]))
        .execute();
      return rows
        .map((r) => {
          const { iat } = JSON.parse(r.payload) as { iat?: number };
          return {
            id: r.id_digest,
            issuedAt: typeof iat === 'number' ? toIso(iat * 1000) : null,
            expiresAt: r.expires_at === null ? null : toIso(r.expires_at),
          };
        })
        .sort((a, b) => (b.issuedAt ?? '').localeCompare(a.issuedAt ?? ''));
    },

    async revokeToken(tenantId, id, ctx) {
      if (!TOKEN_ID.test(id)) throw new AppError('not_found', { detail: 'no such initial access token' });
      const r = await db
        .deleteFrom('oidc_payloads')
        .where('tenant_id', '=', tenantId)
        .where('model', '=', TOKEN_MODEL)
        .where('id_digest', '=', id)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', Date.now())]))
        .executeTakeFirst();
      if (Number(r.numDeletedRows) !== 1)
        throw new AppError('not_found', { detail: 'no such initial access token' });
      await deps.emit(tenantId, 'oidc.registration_token_revoked', `tenant:${tenantId}`, ctx, {
        tokenId: id,
      });
    },

    async sweep(now) {
      const policies = await db
        .selectFrom('oidc_registration_policies')
        .select(['tenant_id', 'unused_client_days'])
        .where('unused_client_days', '>', 0)
        .execute();
      let swept = 0;
      for (const p of policies) {
        const stale = await deps.clients.unusedDynamic(
          p.tenant_id,
          now - p.unused_client_days * 86_400_000,
          500,
        );
        for (const c of stale) {
          await deps.clients
            .delete(p.tenant_id, c.id, undefined, SYSTEM)
            .then(async () => {
              swept++;
              await deps.emit(p.tenant_id, 'oidc.registered_client_expired', `client:${c.id}`, SYSTEM, {
                clientId: c.clientId,
                unusedDays: p.unused_client_days,
              });
            })
            .catch((err: unknown) => {
              if ((err as { code?: string }).code !== 'not_found') throw err;
            });
        }
      }
      return swept;
    },

    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
