/**
 * Per-tenant signing keys with zero-downtime rotation. A key is published in JWKS as soon as it is
 * created, signs from `activates_at` (publish-before-sign lead time), and once a newer key signs it
 * stays published until `expires_at`: the newer key's activation plus the longest lifetime a token it
 * signed can have. Private JWKs are Fernet tokens under the master keys.
 *
 * `keySet(tenantId)` is served from the invalidated cache: a rotation (admin API, CLI, the automatic
 * rotation) invalidates it in its unit of work, so every instance rebuilds the tenant's Provider
 * within a second; `nextChangeAt` says when the set changes by itself (a pending key starts signing,
 * a retired key leaves JWKS), which the provider pool honours too.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import type { Keyring } from '../../crypto/fernet.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import type { TenantEventEmitter } from '../../events/tenant-events.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import type { OidcSigningKeysTable } from '../../storage/tables.ts';
import { toIso } from '../../storage/time.ts';

export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface KeySet {
  /** Private JWKs for oidc-provider's `jwks`: the signing key first, then the published others. */
  keys: JWK[];
  /** The algorithm of the key that signs now. */
  alg: SigningAlg;
  kid: string;
  /** Epoch ms when the set changes by itself (a key activates or expires); null: never. */
  nextChangeAt: number | null;
}

export interface SigningKeyView {
  kid: string;
  alg: string;
  state: 'pending' | 'signing' | 'retired';
  createdAt: string;
  activatesAt: string;
  expiresAt: string | null;
}

export interface SigningKeysService {
  keySet(tenantId: string): Promise<KeySet>;
  list(tenantId: string): Promise<SigningKeyView[]>;
  rotate(tenantId: string, options: { alg?: SigningAlg }, ctx: ActionContext): Promise<SigningKeyView>;
  /** Rotates every tenant whose signing key is older than `days` (and has no newer key pending). */
  rotateDue(days: number, ctx: ActionContext): Promise<number>;
  start(): void;
  stop(): void;
}

export interface SigningKeysDeps {
  database: Database;
  keyring: Keyring;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  emit: TenantEventEmitter;
  defaultAlg(): SigningAlg;
  leadSeconds(): number;
  /** The longest lifetime (s) a token of the tenant can have: how long a retired key stays published. */
  longestTokenLifetime(tenantId: string): Promise<number>;
  now?: () => number;
}

const CLOCK_SKEW_MS = 60_000;

async function generate(alg: SigningAlg): Promise<{ kid: string; publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return {
    kid,
    publicJwk: { ...publicJwk, ...meta },
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
  };
}

type Row = OidcSigningKeysTable;

function stateOf(row: Row, rows: readonly Row[], now: number): SigningKeyView['state'] {
  const signing = rows.filter((r) => r.activates_at <= now).at(-1);
  if (row === signing) return 'signing';
  return row.activates_at > now ? 'pending' : 'retired';
}

export function createSigningKeysService(deps: SigningKeysDeps): SigningKeysService {
  const { database, keyring } = deps;
  const { db } = database;
  const now = deps.now ?? Date.now;

  /** Published keys of a tenant, oldest activation first. */
  const published = (tenantId: string, at: number) =>
    db
      .selectFrom('oidc_signing_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .orderBy('activates_at')
      .orderBy('created_at')
      .execute();

  async function insertKey(tenantId: string, alg: SigningAlg, activatesAt: number, by: string) {
    const k = await generate(alg);
    const row: Row = {
      id: newId(now()),
      tenant_id: tenantId,
      kid: k.kid,
      alg,
      public_jwk: JSON.stringify(k.publicJwk),
      private_jwk: keyring.encrypt(JSON.stringify(k.privateJwk)),
      created_at: now(),
      activates_at: activatesAt,
      expires_at: null,
      created_by: by,
    };
    await db.insertInto('oidc_signing_keys').values(row).execute();
    return row;
  }

  /** The first key of a tenant signs at once (nothing was published before it). */
  async function ensureFirst(tenantId: string): Promise<void> {
    await database.write(async () => {
      const trx = db as unknown as Parameters<typeof database.dialect.lockInTransaction>[0];
      await database.dialect.lockInTransaction(trx, `oidc-keys:${tenantId}`);
      if ((await published(tenantId, now())).length > 0) return;
      await insertKey(tenantId, deps.defaultAlg(), now(), 'system');
      await cache.invalidate(tenantId);
    });
  }

  async function loadKeySet(tenantId: string): Promise<KeySet> {
    let rows = await published(tenantId, now());
    if (!rows.some((r) => r.activates_at <= now())) {
      await ensureFirst(tenantId);
      rows = await published(tenantId, now());
    }
    const t = now();
    const signing = rows.filter((r) => r.activates_at <= t).at(-1);
    if (!signing) throw new Error('no signing key after creating one');
    const ordered = [signing, ...rows.filter((r) => r !== signing).reverse()];
    const changes = rows
      .flatMap((r) => [r.activates_at, r.expires_at ?? Number.POSITIVE_INFINITY])
      .filter((x) => x > t);
    return {
      keys: ordered.map((r) => JSON.parse(keyring.decryptString(r.private_jwk)) as JWK),
      alg: signing.alg as SigningAlg,
      kid: signing.kid,
      nextChangeAt: changes.length > 0 && Number.isFinite(Math.min(...changes)) ? Math.min(...changes) : null,
    };
  }

  const cache = createInvalidatedCache<KeySet>({
    name: 'oidc-signing-keys',
    feed: deps.changes,
    load: loadKeySet,
    ttlMs: 60_000,
    maxEntries: 20_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });

  function view(row: Row, rows: readonly Row[]): SigningKeyView {
    return {
      kid: row.kid,
      alg: row.alg,
      state: stateOf(row, rows, now()),
      createdAt: toIso(row.created_at),
      activatesAt: toIso(row.activates_at),
      expiresAt: row.expires_at === null ? null : toIso(row.expires_at),
    };
  }

  async function rotateIn(tenantId: string, alg: SigningAlg | undefined, ctx: ActionContext) {
    const trx = db as unknown as Parameters<typeof database.dialect.lockInTransaction>[0];
    await database.dialect.lockInTransaction(trx, `oidc-keys:${tenantId}`);
    const t = now();
    const rows = await published(tenantId, t);
    const current = rows.filter((r) => r.activates_at <= t).at(-1);
    const chosen = alg ?? (current?.alg as SigningAlg | undefined) ?? deps.defaultAlg();
    const activatesAt = current ? t + deps.leadSeconds() * 1000 : t;
    const retireAt = activatesAt + (await deps.longestTokenLifetime(tenantId)) * 1000 + CLOCK_SKEW_MS;
    // every key published now stops signing when the new one starts, and leaves JWKS after its tokens
    await db
      .updateTable('oidc_signing_keys')
      .set({ expires_at: retireAt })
      .where('tenant_id', '=', tenantId)
      .where('expires_at', 'is', null)
      .execute();
    const row = await insertKey(tenantId, chosen, activatesAt, ctx.actor);
    await cache.invalidate(tenantId);
    await deps.emit(tenantId, 'oidc.signing_key_rotated', `signing_key:${row.kid}`, ctx, {
      kid: row.kid,
      alg: chosen,
      previousKid: current?.kid ?? null,
      activatesAt: toIso(activatesAt),
      previousExpiresAt: current ? toIso(retireAt) : null,
    });
    return view(row, [...rows, row]);
  }

  return {
    async keySet(tenantId) {
      const set = await cache.get(tenantId);
      if (set.nextChangeAt === null || set.nextChangeAt > now()) return set;
      // a pending key starts signing or a retired one leaves JWKS: reload (rare: once per rotation)
      await cache.invalidate(tenantId);
      return cache.get(tenantId);
    },
    async list(tenantId) {
      await cache.get(tenantId); // a tenant that never signed gets its first key
      const rows = await published(tenantId, now());
      return rows.map((r) => view(r, rows)).reverse();
    },
    async rotate(tenantId, options, ctx) {
      if (options.alg !== undefined && !SIGNING_ALGS.includes(options.alg))
        throw new AppError('validation_failed', { detail: `alg: one of ${SIGNING_ALGS.join(', ')}` });
      return database.write(() => rotateIn(tenantId, options.alg, ctx));
    },
    async rotateDue(days, ctx) {
      if (days <= 0) return 0;
      const cutoff = now() - days * 86_400_000;
      // tenants whose newest key activated before the cutoff
      const due = await db
        .selectFrom('oidc_signing_keys')
        .select('tenant_id')
        .groupBy('tenant_id')
        .having((eb) => eb.fn.max('activates_at'), '<', cutoff)
        .execute();
      let rotated = 0;
      for (const { tenant_id } of due) {
        await database.write(async () => {
          const trx = db as unknown as Parameters<typeof database.dialect.lockInTransaction>[0];
          await database.dialect.lockInTransaction(trx, `oidc-keys:${tenant_id}`);
          const newest = await db
            .selectFrom('oidc_signing_keys')
            .select((eb) => eb.fn.max('activates_at').as('latest'))
            .where('tenant_id', '=', tenant_id)
            .executeTakeFirst();
          if (Number(newest?.latest ?? 0) >= cutoff) return; // another instance rotated meanwhile
          await rotateIn(tenant_id, undefined, ctx);
          rotated++;
        });
      }
      return rotated;
    },
    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
