/**
 * Resource servers (audience, scopes, token format) and trust links (client → resource server, scopes,
 * delegation). The token endpoint asks `policy(tenantId)` on every grant, so a tenant's whole set is
 * one entry of the invalidated cache (two queries to load, none on the hot path); every change
 * commits with its audit event and its invalidation, so a deleted trust link stops issuance and
 * introspection on every instance within a second.
 */
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import type { TenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import type { OidcResourceServersTable, OidcTrustLinksTable } from '../../storage/tables.ts';
import { toIso } from '../../storage/time.ts';
import { checkScopes } from '../clients/rules.ts';

export interface ResourceServer {
  id: string;
  identifier: string;
  name: string;
  scopes: string[];
  tokenFormat: 'jwt' | 'opaque';
  accessTokenTtl: number | null;
  createdAt: string;
}

export interface TrustLink {
  id: string;
  /** The calling client's resource id. */
  client: string;
  resourceServer: string;
  /** The resource server's identifier (audience). */
  audience: string;
  scopes: string[];
  delegation: boolean;
  /** Epoch ms: tokens issued before the link existed are not covered by it. */
  createdAtMs: number;
  createdAt: string;
}

export interface ResourcePolicy {
  byIdentifier: ReadonlyMap<string, ResourceServer>;
  /** `${client resource id} ${audience}` → link. */
  links: ReadonlyMap<string, TrustLink>;
  linksOf(client: string): TrustLink[];
}

export interface CreateResourceInput {
  identifier: string;
  name?: string;
  scopes?: string[];
  tokenFormat?: 'jwt' | 'opaque';
  accessTokenTtl?: number | null;
}

export interface CreateTrustInput {
  client: string;
  resourceServer: string;
  scopes?: string[];
  delegation?: boolean;
}

export interface ResourcesService {
  policy(tenantId: string): Promise<ResourcePolicy>;
  createResource(tenantId: string, input: CreateResourceInput, ctx: ActionContext): Promise<ResourceServer>;
  listResources(tenantId: string): Promise<ResourceServer[]>;
  /** By id or identifier. */
  getResource(tenantId: string, ref: string): Promise<ResourceServer>;
  deleteResource(tenantId: string, ref: string, ctx: ActionContext): Promise<void>;
  createTrust(tenantId: string, input: CreateTrustInput, ctx: ActionContext): Promise<TrustLink>;
  listTrust(tenantId: string): Promise<TrustLink[]>;
  deleteTrust(tenantId: string, id: string, ctx: ActionContext): Promise<void>;
  /** The longest access-token lifetime a resource server of the tenant sets (s), or 0. */
  longestTokenTtl(tenantId: string): Promise<number>;
  start(): void;
  stop(): void;
}

export interface ResourcesDeps {
  database: Database;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  emit: TenantEventEmitter;
  /** A client reference (id, client_id or name) → its resource id; throws not_found. */
  resolveClient(tenantId: string, ref: string): Promise<string>;
}

const MAX_IDENTIFIER = 2048;

function checkIdentifier(value: string): string {
  if (value.length === 0 || value.length > MAX_IDENTIFIER || /\s/.test(value))
    throw new AppError('validation_failed', {
      detail: `identifier: 1 to ${MAX_IDENTIFIER} characters, no spaces`,
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('validation_failed', { detail: 'identifier: an absolute URI (RFC 8707 §2)' });
  }
  if (url.hash !== '' || value.includes('#'))
    throw new AppError('validation_failed', { detail: 'identifier: no fragment (RFC 8707 §2)' });
  return value;
}

function toResource(r: OidcResourceServersTable): ResourceServer {
  return {
    id: r.id,
    identifier: r.identifier,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    tokenFormat: r.token_format,
    accessTokenTtl: r.access_token_ttl,
    createdAt: toIso(r.created_at),
  };
}

export function createResourcesService(deps: ResourcesDeps): ResourcesService {
  const { database } = deps;
  const { db } = database;

  const linkRows = (tenantId: string) =>
    db
      .selectFrom('oidc_trust_links as l')
      .innerJoin('oidc_resource_servers as r', 'r.id', 'l.resource_server')
      .select([
        'l.id',
        'l.client',
        'l.resource_server',
        'l.scopes',
        'l.delegation',
        'l.created_at',
        'r.identifier',
      ])
      .where('l.tenant_id', '=', tenantId)
      .orderBy('l.created_at')
      .execute();

  const toLink = (l: Awaited<ReturnType<typeof linkRows>>[number]): TrustLink => ({
    id: l.id,
    client: l.client,
    resourceServer: l.resource_server,
    audience: l.identifier,
    scopes: JSON.parse(l.scopes) as string[],
    delegation: l.delegation === 1,
    createdAtMs: l.created_at,
    createdAt: toIso(l.created_at),
  });

  const cache = createInvalidatedCache<ResourcePolicy>({
    name: 'oidc-resources',
    feed: deps.changes,
    ttlMs: 60_000,
    maxEntries: 20_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
    async load(tenantId) {
      const servers = await db
        .selectFrom('oidc_resource_servers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      const links = (await linkRows(tenantId)).map(toLink);
      return {
        byIdentifier: new Map(servers.map((s) => [s.identifier, toResource(s)])),
        links: new Map(links.map((l) => [`${l.client} ${l.audience}`, l])),
        linksOf: (client) => links.filter((l) => l.client === client),
      };
    },
  });

  async function mustGetResource(tenantId: string, ref: string): Promise<OidcResourceServersTable> {
    const row = await db
      .selectFrom('oidc_resource_servers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('id', '=', ref), eb('identifier', '=', ref)]))
      .executeTakeFirst();
    if (!row)
      throw new AppError('not_found', { detail: `no resource server "${ref.slice(0, 80)}" in this tenant` });
    return row;
  }

  const conflict = (what: string) => (err: unknown) => {
    if (database.dialect.isUniqueViolation(err)) throw new AppError('conflict', { detail: what });
    throw err;
  };

  return {
    policy: (tenantId) => cache.get(tenantId),
    createResource: (tenantId, input, ctx) =>
      database.write(async () => {
        const now = Date.now();
        const tokenFormat = input.tokenFormat ?? 'jwt';
        if (tokenFormat !== 'jwt' && tokenFormat !== 'opaque')
          throw new AppError('validation_failed', { detail: 'tokenFormat: jwt or opaque' });
        const ttl = input.accessTokenTtl ?? null;
        if (ttl !== null && !(Number.isSafeInteger(ttl) && ttl >= 60 && ttl <= 86_400))
          throw new AppError('validation_failed', { detail: 'accessTokenTtl: 60 to 86400 seconds' });
        const identifier = checkIdentifier(input.identifier);
        const name = (input.name ?? identifier).trim().slice(0, 128) || identifier.slice(0, 128);
        const row: OidcResourceServersTable = {
          id: newId(now),
          tenant_id: tenantId,
          identifier,
          name,
          scopes: JSON.stringify(checkScopes(input.scopes ?? [])),
          token_format: tokenFormat,
          access_token_ttl: ttl,
          created_at: now,
          updated_at: now,
          version: 1,
        };
        await db
          .insertInto('oidc_resource_servers')
          .values(row)
          .execute()
          .catch(conflict('a resource server with this identifier exists'));
        await cache.invalidate(tenantId);
        await deps.emit(tenantId, 'oidc.resource_server_created', `resource_server:${row.id}`, ctx, {
          identifier,
          scopes: JSON.parse(row.scopes),
          tokenFormat,
        });
        return toResource(row);
      }),
    async listResources(tenantId) {
      const rows = await db
        .selectFrom('oidc_resource_servers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('identifier')
        .execute();
      return rows.map(toResource);
    },
    getResource: async (tenantId, ref) => toResource(await mustGetResource(tenantId, ref)),
    deleteResource: (tenantId, ref, ctx) =>
      database.write(async () => {
        const row = await mustGetResource(tenantId, ref);
        await db.deleteFrom('oidc_trust_links').where('resource_server', '=', row.id).execute();
        await db.deleteFrom('oidc_resource_servers').where('id', '=', row.id).execute();
        await cache.invalidate(tenantId);
        await deps.emit(tenantId, 'oidc.resource_server_deleted', `resource_server:${row.id}`, ctx, {
          identifier: row.identifier,
        });
      }),
    createTrust: (tenantId, input, ctx) =>
      database.write(async () => {
        const client = await deps.resolveClient(tenantId, input.client);
        const rs = await mustGetResource(tenantId, input.resourceServer);
        const allowed = JSON.parse(rs.scopes) as string[];
        const scopes = checkScopes(input.scopes ?? allowed);
        const outside = scopes.filter((s) => !allowed.includes(s));
        if (outside.length > 0)
          throw new AppError('validation_failed', {
            detail: `scopes: ${outside.join(', ').slice(0, 200)} not offered by ${rs.identifier.slice(0, 200)}`,
          });
        const now = Date.now();
        const row: OidcTrustLinksTable = {
          id: newId(now),
          tenant_id: tenantId,
          client,
          resource_server: rs.id,
          scopes: JSON.stringify(scopes),
          delegation: input.delegation ? 1 : 0,
          created_at: now,
        };
        await db
          .insertInto('oidc_trust_links')
          .values(row)
          .execute()
          .catch(conflict('this client already has a trust link to this resource server'));
        await cache.invalidate(tenantId);
        await deps.emit(tenantId, 'oidc.trust_link_created', `trust_link:${row.id}`, ctx, {
          client,
          audience: rs.identifier,
          scopes,
          delegation: row.delegation === 1,
        });
        return toLink({ ...row, identifier: rs.identifier });
      }),
    listTrust: async (tenantId) => (await linkRows(tenantId)).map(toLink),
    deleteTrust: (tenantId, id, ctx) =>
      database.write(async () => {
        const row = await db
          .deleteFrom('oidc_trust_links')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new AppError('not_found', { detail: 'no such trust link in this tenant' });
        await cache.invalidate(tenantId);
        await deps.emit(tenantId, 'oidc.trust_link_deleted', `trust_link:${row.id}`, ctx, {
          client: row.client,
          resourceServer: row.resource_server,
        });
      }),
    async longestTokenTtl(tenantId) {
      const r = await db
        .selectFrom('oidc_resource_servers')
        .select((eb) => eb.fn.max('access_token_ttl').as('ttl'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return Number(r?.ttl ?? 0);
    },
    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
