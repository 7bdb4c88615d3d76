/**
 * HMAC shared secrets (issue 11 §5): per client, at most two live at once so a client can rotate (add
 * the new one, switch its signer, revoke the old one). The gateway must read a secret back to check a
 * signature, so it is stored Fernet-encrypted under the master keys (`keys rewrap` covers the column)
 * and shown once at creation. The hot path reads decrypted keys from the invalidated cache; a
 * revocation drops them on every instance within a second.
 */
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import type { Keyring } from '../../crypto/fernet.ts';
import { generateSecret } from '../../crypto/secret-token.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import { createTenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import { isId, newId } from '../../storage/ids.ts';
import type { GatewayHmacSecretsTable } from '../../storage/tables.ts';
import { toIso, toIsoOrNull } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import './errors.ts';

const MAX_LIVE = 2;
const DAY_MS = 86_400_000;

export interface HmacSecretView {
  id: string;
  clientId: string;
  fingerprint: string;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  createdBy: string;
}

/**
 * A live key as the verifier uses it: the secret's UTF-8 bytes are the HMAC key, held as a KeyObject
 * (createHmac with a raw Buffer converts it to one on every call: ~15 µs of the decision).
 */
export interface HmacKey {
  id: string;
  key: KeyObject;
  expiresAt: number | null;
}

export interface HmacSecretsService {
  /** Adds a secret to a client (by resource id); returns it once. */
  create(
    tenantId: string,
    clientRef: string,
    options: { expiresInDays?: number },
    ctx: ActionContext,
  ): Promise<{ secret: string; hmacSecret: HmacSecretView }>;
  list(tenantId: string, clientRef: string): Promise<HmacSecretView[]>;
  revoke(tenantId: string, clientRef: string, id: string, ctx: ActionContext): Promise<void>;
  /** The live keys of a client, decrypted, from the cache (hot path). */
  keysFor(tenantId: string, clientRef: string): Promise<readonly HmacKey[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface HmacSecretsDeps {
  database: Database;
  keyring: Keyring;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  slugOf(tenantId: string): Promise<string>;
  /** Throws not_found unless the client exists in the tenant. */
  checkClient(tenantId: string, clientRef: string): Promise<void>;
}

type Row = GatewayHmacSecretsTable;

function view(r: Row): HmacSecretView {
  return {
    id: r.id,
    clientId: r.client,
    fingerprint: r.fingerprint,
    expiresAt: toIsoOrNull(r.expires_at),
    revokedAt: toIsoOrNull(r.revoked_at),
    createdAt: toIso(r.created_at),
    createdBy: r.created_by,
  };
}

export function createHmacSecretsService(deps: HmacSecretsDeps): HmacSecretsService {
  const { database, keyring } = deps;
  const { db } = database;
  const emit = createTenantEventEmitter(deps.bus, deps.slugOf);
  const keyOf = (tenantId: string, client: string) => `${tenantId}/${client}`;
  const cache = createInvalidatedCache<readonly HmacKey[]>({
    name: 'gateway-hmac-keys',
    feed: deps.changes,
    load: async (key) => {
      const [tenantId, client] = key.split('/') as [string, string];
      const rows = await db
        .selectFrom('gateway_hmac_secrets')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('client', '=', client)
        .where('revoked_at', 'is', null)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        key: createSecretKey(Buffer.from(keyring.decryptString(r.secret), 'utf8')),
        expiresAt: r.expires_at,
      }));
    },
    ttlMs: 60_000,
    maxEntries: 20_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });

  const rowsOf = (tenantId: string, client: string) =>
    db
      .selectFrom('gateway_hmac_secrets')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('client', '=', client)
      .orderBy('created_at', 'desc')
      .execute();

  const service: HmacSecretsService = {
    async create(tenantId, clientRef, options, ctx) {
      await deps.checkClient(tenantId, clientRef);
      const now = Date.now();
      // one writer per client at a time, so two concurrent additions cannot both pass the count
      if (database.dialect.name === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext(${`gateway-hmac:${clientRef}`}))`.execute(db);
      const live = (await rowsOf(tenantId, clientRef)).filter(
        (r) => r.revoked_at === null && (r.expires_at === null || r.expires_at > now),
      );
      if (live.length >= MAX_LIVE) throw new AppError('hmac_secret_limit');
      const { secret } = generateSecret('hms');
      const row: Row = {
        id: newId(now),
        tenant_id: tenantId,
        client: clientRef,
        secret: keyring.encrypt(secret),
        fingerprint: createHash('sha256').update(secret).digest('hex').slice(0, 12),
        expires_at: options.expiresInDays ? now + options.expiresInDays * DAY_MS : null,
        revoked_at: null,
        created_at: now,
        created_by: ctx.actor,
      };
      await db.insertInto('gateway_hmac_secrets').values(row).execute();
      await cache.invalidate(keyOf(tenantId, clientRef));
      await emit(tenantId, 'gateway.hmac_secret_added', `client:${clientRef}`, ctx, {
        secretId: row.id,
        fingerprint: row.fingerprint,
      });
      return { secret, hmacSecret: view(row) };
    },
    async list(tenantId, clientRef) {
      await deps.checkClient(tenantId, clientRef);
      return (await rowsOf(tenantId, clientRef)).map(view);
    },
    async revoke(tenantId, clientRef, id, ctx) {
      await deps.checkClient(tenantId, clientRef);
      const found = isId(id)
        ? await db
            .selectFrom('gateway_hmac_secrets')
            .select(['id', 'revoked_at'])
            .where('tenant_id', '=', tenantId)
            .where('client', '=', clientRef)
            .where('id', '=', id)
            .executeTakeFirst()
        : undefined;
      if (!found) throw new AppError('not_found', { detail: 'no such HMAC secret of this client' });
      if (found.revoked_at !== null) return;
      await db
        .updateTable('gateway_hmac_secrets')
        .set({ revoked_at: Date.now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      await cache.invalidate(keyOf(tenantId, clientRef));
      await emit(tenantId, 'gateway.hmac_secret_revoked', `client:${clientRef}`, ctx, { secretId: id });
    },
    keysFor: (tenantId, clientRef) => cache.get(keyOf(tenantId, clientRef)),
    async start() {
      cache.start();
    },
    async stop() {
      cache.stop();
    },
  };
  return inUnits(database, service, ['create', 'revoke']);
}
