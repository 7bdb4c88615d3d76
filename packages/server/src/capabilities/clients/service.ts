/**
 * The rules of clients, tenant-scoped: OAuth/OIDC clients and the service clients the gateway
 * authorizes. Every input goes through `rules.ts`; a confidential client gets its first secret at
 * creation (shown once), more can be added for rotation and any revoked — secrets are credentials of
 * kind `cls` owned by the client (the one credential mechanism), stored as digests. `byClientId` is
 * served from the invalidated cache (the token endpoint and /authz read it on every request); every
 * change commits with its audit event and its invalidation, so every process sees it within a second.
 * Deleting or disabling a client revokes what depends on it: its secrets on delete, and every
 * consumer checks `status`.
 */
import './errors.ts';
import { randomBytes } from 'node:crypto';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import { isId, newId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { toIso } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import type { CredentialsService, CredentialView } from '../credentials/index.ts';
import {
  type AuthMethod,
  type ClaimMapping,
  checkBackchannelLogoutUri,
  checkClaimMapping,
  checkClientId,
  checkClientShape,
  checkGrantTypes,
  checkRedirectUris,
  checkScopes,
  type GrantType,
} from './rules.ts';
import type {
  ClientSecretView,
  ClientSort,
  ClientView,
  CreateClientInput,
  UpdateClientInput,
} from './schemas.ts';
import type { ClientPatch, ClientRow, ClientStore } from './store.ts';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 20_000;
const DAY_MS = 86_400_000;
const TOUCH_EVERY_MS = 3_600_000;

/** A client as hot paths need it (parsed lists, no version). */
export interface ClientRecord {
  id: string;
  tenantId: string;
  clientId: string;
  name: string;
  kind: 'confidential' | 'public';
  firstParty: boolean;
  status: 'active' | 'disabled';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: GrantType[];
  scopes: string[];
  authMethod: AuthMethod;
  jwks: { keys: unknown[] } | null;
  jwksUri: string | null;
  backchannelLogoutUri: string | null;
  claimMapping: ClaimMapping | null;
  accessTokenTtl: number | null;
  refreshTokenTtl: number | null;
  idTokenTtl: number | null;
  /** Registered through dynamic client registration (RFC 7591). */
  dynamic: boolean;
}

export interface ClientsService {
  create(
    tenantId: string,
    input: CreateClientInput,
    ctx: ActionContext,
    options?: { dynamic?: boolean },
  ): Promise<{ client: ClientView; clientSecret: string | null }>;
  get(tenantId: string, id: string): Promise<ClientView>;
  /** By resource id, else by client_id, else by name (CLI convenience); not_found otherwise. */
  resolve(tenantId: string, idOrClientIdOrName: string): Promise<ClientView>;
  /** The client with this OAuth client_id, from the cache; null when there is none. */
  byClientId(tenantId: string, clientId: string): Promise<ClientRecord | null>;
  /** The client with this resource id (what owns its tokens), from the cache; null when there is none. */
  recordById(tenantId: string, id: string): Promise<ClientRecord | null>;
  list(tenantId: string, options: ListOptions<ClientSort>, clientId?: string): Promise<Page<ClientView>>;
  update(
    tenantId: string,
    id: string,
    input: UpdateClientInput,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<ClientView>;
  /** Deletes the client and revokes its secrets. */
  delete(tenantId: string, id: string, expected: number | undefined, ctx: ActionContext): Promise<void>;
  addSecret(
    tenantId: string,
    id: string,
    options: { expiresInDays?: number },
    ctx: ActionContext,
  ): Promise<{ secret: string; credential: ClientSecretView }>;
  listSecrets(tenantId: string, id: string): Promise<ClientSecretView[]>;
  revokeSecret(tenantId: string, id: string, secretId: string, ctx: ActionContext): Promise<void>;
  /**
   * True when `secret` is a live secret of this active client (constant-time digest lookup through
   * the credentials cache). Never throws for a wrong secret.
   */
  verifySecret(tenantId: string, clientId: string, secret: string): Promise<boolean>;
  /** The longest access or ID token lifetime a client of the tenant sets (s), or 0. */
  longestTokenTtl(tenantId: string): Promise<number>;
  /**
   * Records that a dynamically registered client obtained a token (what the sweep of unused
   * clients looks at); at most one write per client and hour, nothing for other clients.
   */
  touch(tenantId: string, clientId: string): Promise<void>;
  /** Dynamically registered clients of the tenant not used (nor created) since `beforeMs`. */
  unusedDynamic(tenantId: string, beforeMs: number, limit: number): Promise<ClientRecord[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClientsDeps {
  store: ClientStore;
  database: Database;
  bus: EventBus;
  credentials: CredentialsService;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  slugOf(tenantId: string): Promise<string>;
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function toClientView(row: ClientRow): ClientView {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    kind: row.kind,
    firstParty: row.first_party === 1,
    status: row.status,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as string[],
    scopes: JSON.parse(row.scopes) as string[],
    authMethod: row.auth_method,
    jwks: parse<{ keys: unknown[] }>(row.jwks),
    jwksUri: row.jwks_uri,
    backchannelLogoutUri: row.backchannel_logout_uri,
    claimMapping: parse<ClaimMapping>(row.claim_mapping),
    accessTokenTtl: row.access_token_ttl,
    refreshTokenTtl: row.refresh_token_ttl,
    idTokenTtl: row.id_token_ttl,
    dynamic: row.dynamic === 1,
    lastUsedAt: row.last_used_at === null ? null : toIso(row.last_used_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    version: row.version,
  };
}

function toRecord(row: ClientRow): ClientRecord {
  const v = toClientView(row);
  return {
    id: v.id,
    tenantId: row.tenant_id,
    clientId: v.clientId,
    name: v.name,
    kind: v.kind,
    firstParty: v.firstParty,
    status: v.status,
    redirectUris: v.redirectUris,
    postLogoutRedirectUris: v.postLogoutRedirectUris,
    grantTypes: v.grantTypes as GrantType[],
    scopes: v.scopes,
    authMethod: v.authMethod as AuthMethod,
    jwks: v.jwks,
    jwksUri: v.jwksUri,
    backchannelLogoutUri: v.backchannelLogoutUri,
    claimMapping: v.claimMapping,
    accessTokenTtl: v.accessTokenTtl,
    refreshTokenTtl: v.refreshTokenTtl,
    idTokenTtl: v.idTokenTtl,
    dynamic: v.dynamic,
  };
}

function secretView(c: CredentialView): ClientSecretView {
  return {
    id: c.id,
    prefix: c.prefix,
    expiresAt: c.expiresAt,
    lastUsedAt: c.lastUsedAt,
    revokedAt: c.revokedAt,
    createdAt: c.createdAt,
  };
}

/** A generated client_id: 22 base64url characters (128 bits), readable in URLs and configs. */
function generateClientId(): string {
  return randomBytes(16).toString('base64url');
}

function mappingColumn(value: unknown): string | null {
  const mapping = checkClaimMapping(value);
  return mapping === null ? null : JSON.stringify(mapping);
}

function checkName(name: string): string {
  const trimmed = name.normalize('NFC').trim();
  if (trimmed.length === 0 || trimmed.length > 128 || /\p{Cc}/u.test(trimmed))
    throw new AppError('validation_failed', { detail: 'name: 1 to 128 printable characters' });
  return trimmed;
}

interface Shape {
  kind: 'confidential' | 'public';
  grantTypes: GrantType[];
  authMethod: AuthMethod;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  scopes: string[];
  jwks: { keys: unknown[] } | null;
  jwksUri: string | null;
}

/** Checks every field and the combination, filling the defaults of the client's kind. */
function shapeOf(input: Partial<Shape> & { kind: 'confidential' | 'public' }, current?: Shape): Shape {
  const redirectUris = checkRedirectUris(input.redirectUris ?? current?.redirectUris ?? []);
  const postLogoutRedirectUris = checkRedirectUris(
    input.postLogoutRedirectUris ?? current?.postLogoutRedirectUris ?? [],
    'postLogoutRedirectUris',
  );
  const defaultGrants: GrantType[] =
    input.kind === 'public' || redirectUris.length > 0
      ? ['authorization_code', 'refresh_token']
      : ['client_credentials'];
  const shape: Shape = {
    kind: input.kind,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes: checkGrantTypes(input.grantTypes ?? current?.grantTypes ?? defaultGrants),
    scopes: checkScopes(input.scopes ?? current?.scopes ?? ['openid', 'profile', 'email']),
    authMethod:
      input.authMethod ?? current?.authMethod ?? (input.kind === 'public' ? 'none' : 'client_secret_basic'),
    jwks: input.jwks !== undefined ? input.jwks : (current?.jwks ?? null),
    jwksUri: input.jwksUri !== undefined ? input.jwksUri : (current?.jwksUri ?? null),
  };
  checkClientShape(shape);
  return shape;
}

export function createClientsService(deps: ClientsDeps): ClientsService {
  const { store, database, credentials } = deps;
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);
  // tenant/client_id → client (null: unknown, so probes with random client ids stay off the database)
  const cache = createInvalidatedCache<ClientRecord | null>({
    name: 'clients',
    feed: deps.changes,
    load: async (key) => {
      const slash = key.indexOf('/');
      const row = await store.byClientId(key.slice(0, slash), key.slice(slash + 1));
      return row ? toRecord(row) : null;
    },
    ttlMs: CACHE_TTL_MS,
    maxEntries: CACHE_MAX,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  const keyOf = (tenantId: string, clientId: string) => `${tenantId}/${clientId}`;
  // client id → when this process last recorded its use (bounds the writes of `touch`)
  const touched = new Map<string, number>();
  // tenant/id → client: what owns a service token or an HMAC secret (dropped with the entry above)
  const byId = createInvalidatedCache<ClientRecord | null>({
    name: 'clients-by-id',
    feed: deps.changes,
    load: async (key) => {
      const slash = key.indexOf('/');
      const row = await store.byId(key.slice(0, slash), key.slice(slash + 1));
      return row ? toRecord(row) : null;
    },
    ttlMs: CACHE_TTL_MS,
    maxEntries: CACHE_MAX,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  const invalidate = async (row: { tenant_id: string; id: string; client_id: string }) => {
    await cache.invalidate(keyOf(row.tenant_id, row.client_id));
    await byId.invalidate(keyOf(row.tenant_id, row.id));
  };

  async function mustGet(tenantId: string, id: string): Promise<ClientRow> {
    const row = isId(id) ? await store.byId(tenantId, id) : undefined;
    if (!row) throw new AppError('not_found', { detail: 'no such client in this tenant' });
    return row;
  }

  function conflict(err: unknown): never {
    if (database.dialect.isUniqueViolation(err))
      throw new AppError('conflict', { detail: 'a client with this name or client_id already exists' });
    throw err;
  }

  async function issueSecret(row: ClientRow, expiresInDays: number | undefined, ctx: ActionContext) {
    const issued = await credentials.issue(
      {
        kind: 'cls',
        tenantId: row.tenant_id,
        ownerType: 'client',
        ownerId: row.id,
        name: `secret of ${row.client_id}`.slice(0, 200),
        abilities: [],
        expiresAt: expiresInDays === undefined ? null : Date.now() + expiresInDays * DAY_MS,
      },
      ctx,
    );
    return { secret: issued.secret, credential: secretView(issued.credential) };
  }

  const service: ClientsService = {
    async create(tenantId, input, ctx, options = {}) {
      const now = Date.now();
      const kind = input.kind ?? 'confidential';
      const shape = shapeOf({ ...input, kind });
      const name = checkName(input.name);
      const row: ClientRow = {
        id: newId(now),
        tenant_id: tenantId,
        client_id: checkClientId(input.clientId ?? generateClientId()),
        name,
        name_lower: name.toLowerCase(),
        kind,
        first_party: input.firstParty ? 1 : 0,
        status: 'active',
        redirect_uris: JSON.stringify(shape.redirectUris),
        post_logout_redirect_uris: JSON.stringify(shape.postLogoutRedirectUris),
        grant_types: JSON.stringify(shape.grantTypes),
        scopes: JSON.stringify(shape.scopes),
        auth_method: shape.authMethod,
        jwks: shape.jwks === null ? null : JSON.stringify(shape.jwks),
        jwks_uri: shape.jwksUri,
        access_token_ttl: input.accessTokenTtl ?? null,
        refresh_token_ttl: input.refreshTokenTtl ?? null,
        id_token_ttl: input.idTokenTtl ?? null,
        dynamic: options.dynamic ? 1 : 0,
        last_used_at: null,
        claim_mapping: mappingColumn(input.claimMapping),
        backchannel_logout_uri: checkBackchannelLogoutUri(input.backchannelLogoutUri ?? null),
        created_at: now,
        updated_at: now,
        version: 1,
      };
      await store.insert(row).catch(conflict);
      await invalidate(row); // a probe may have cached it as unknown
      await emit(tenantId, 'client.created', `client:${row.id}`, ctx, {
        clientId: row.client_id,
        name,
        kind,
        grantTypes: shape.grantTypes,
        ...(options.dynamic ? { dynamic: true } : {}),
      });
      const first =
        kind === 'confidential' && shape.authMethod !== 'private_key_jwt'
          ? await issueSecret(row, undefined, ctx)
          : undefined;
      return { client: toClientView(row), clientSecret: first?.secret ?? null };
    },

    get: async (tenantId, id) => toClientView(await mustGet(tenantId, id)),

    async resolve(tenantId, ref) {
      const row =
        (isId(ref) ? await store.byId(tenantId, ref) : undefined) ??
        (await store.byClientId(tenantId, ref)) ??
        (await store.byName(tenantId, ref.normalize('NFC').trim().toLowerCase()));
      if (!row) throw new AppError('not_found', { detail: `no client "${ref.slice(0, 80)}" in this tenant` });
      return toClientView(row);
    },

    byClientId: (tenantId, clientId) =>
      clientId.length === 0 || clientId.length > 255
        ? Promise.resolve(null)
        : cache.get(keyOf(tenantId, clientId)),

    recordById: (tenantId, id) => (isId(id) ? byId.get(keyOf(tenantId, id)) : Promise.resolve(null)),

    async list(tenantId, options, clientId) {
      const rows = await store.list(tenantId, options, clientId);
      return toPage(
        rows,
        options,
        (r) => (options.sort === 'name' ? r.name_lower : r.created_at),
        toClientView,
      );
    },

    async update(tenantId, id, input, expected, ctx) {
      const current = await mustGet(tenantId, id);
      const view = toClientView(current);
      const shape = shapeOf(
        { ...input, kind: current.kind } as Partial<Shape> & { kind: ClientRow['kind'] },
        {
          kind: current.kind,
          redirectUris: view.redirectUris,
          postLogoutRedirectUris: view.postLogoutRedirectUris,
          grantTypes: view.grantTypes as GrantType[],
          scopes: view.scopes,
          authMethod: view.authMethod as AuthMethod,
          jwks: view.jwks,
          jwksUri: view.jwksUri,
        },
      );
      const next: ClientPatch = {
        redirect_uris: JSON.stringify(shape.redirectUris),
        post_logout_redirect_uris: JSON.stringify(shape.postLogoutRedirectUris),
        grant_types: JSON.stringify(shape.grantTypes),
        scopes: JSON.stringify(shape.scopes),
        auth_method: shape.authMethod,
        jwks: shape.jwks === null ? null : JSON.stringify(shape.jwks),
        jwks_uri: shape.jwksUri,
      };
      if (input.name !== undefined) {
        next.name = checkName(input.name);
        next.name_lower = next.name.toLowerCase();
      }
      if (input.firstParty !== undefined) next.first_party = input.firstParty ? 1 : 0;
      if (input.status !== undefined) next.status = input.status;
      if (input.accessTokenTtl !== undefined) next.access_token_ttl = input.accessTokenTtl;
      if (input.refreshTokenTtl !== undefined) next.refresh_token_ttl = input.refreshTokenTtl;
      if (input.idTokenTtl !== undefined) next.id_token_ttl = input.idTokenTtl;
      if (input.claimMapping !== undefined) next.claim_mapping = mappingColumn(input.claimMapping);
      if (input.backchannelLogoutUri !== undefined)
        next.backchannel_logout_uri = checkBackchannelLogoutUri(input.backchannelLogoutUri);
      const patch: ClientPatch = {};
      const changed: string[] = [];
      for (const [column, value] of Object.entries(next) as [keyof ClientPatch, never][]) {
        if (current[column] === value) continue;
        (patch as Record<string, unknown>)[column] = value;
        changed.push(column);
      }
      if (changed.length === 0) {
        if (expected !== undefined && expected !== current.version) throw new AppError('precondition_failed');
        return view;
      }
      const row = await store.update(tenantId, id, patch, expected, Date.now()).catch(conflict);
      if (!row) throw new AppError('precondition_failed');
      await invalidate(row);
      await emit(
        tenantId,
        patch.status ? `client.${patch.status === 'disabled' ? 'disabled' : 'enabled'}` : 'client.updated',
        `client:${row.id}`,
        ctx,
        {
          clientId: row.client_id,
          changed: changed.sort(),
        },
      );
      return toClientView(row);
    },

    async delete(tenantId, id, expected, ctx) {
      await mustGet(tenantId, id);
      const row = await store.delete(tenantId, id, expected);
      if (!row) throw new AppError('precondition_failed');
      await credentials.revokeOwned('client', row.id, ctx);
      await invalidate(row);
      await emit(tenantId, 'client.deleted', `client:${row.id}`, ctx, { clientId: row.client_id });
    },

    async addSecret(tenantId, id, options, ctx) {
      const row = await mustGet(tenantId, id);
      if (row.kind === 'public')
        throw new AppError('validation_failed', { detail: 'a public client cannot hold secrets' });
      const issued = await issueSecret(row, options.expiresInDays, ctx);
      await emit(tenantId, 'client.secret_added', `client:${row.id}`, ctx, {
        clientId: row.client_id,
        secretId: issued.credential.id,
      });
      return issued;
    },

    async listSecrets(tenantId, id) {
      const row = await mustGet(tenantId, id);
      return (await credentials.listOwned('client', row.id, ['cls'])).map(secretView);
    },

    async revokeSecret(tenantId, id, secretId, ctx) {
      const row = await mustGet(tenantId, id);
      const owned = await credentials.listOwned('client', row.id, ['cls']);
      if (!owned.some((c) => c.id === secretId))
        throw new AppError('not_found', { detail: 'no such secret of this client' });
      await credentials.revoke(secretId, tenantId, ctx);
      await emit(tenantId, 'client.secret_revoked', `client:${row.id}`, ctx, {
        clientId: row.client_id,
        secretId,
      });
    },

    async verifySecret(tenantId, clientId, secret) {
      const client = await service.byClientId(tenantId, clientId);
      if (client?.status !== 'active' || client.kind !== 'confidential') return false;
      try {
        const row = await credentials.verify(secret, ['cls']);
        return row.owner_type === 'client' && row.owner_id === client.id && row.tenant_id === tenantId;
      } catch (err) {
        if (err instanceof AppError && err.status === 401) return false;
        throw err;
      }
    },

    longestTokenTtl: (tenantId) => store.longestTokenTtl(tenantId),

    async touch(tenantId, clientId) {
      const client = await service.byClientId(tenantId, clientId);
      if (!client?.dynamic) return;
      const now = Date.now();
      if ((touched.get(client.id) ?? 0) > now - TOUCH_EVERY_MS) return;
      touched.set(client.id, now);
      if (touched.size > CACHE_MAX) touched.delete(touched.keys().next().value as string);
      await store.touch(tenantId, client.id, now, now - TOUCH_EVERY_MS);
    },

    async unusedDynamic(tenantId, beforeMs, limit) {
      return (await store.unusedDynamic(tenantId, beforeMs, limit)).map(toRecord);
    },

    async start() {
      cache.start();
      byId.start();
    },
    async stop() {
      cache.stop();
      byId.stop();
    },
  };
  return inUnits(database, service, ['create', 'update', 'delete', 'addSecret', 'revokeSecret']);
}
