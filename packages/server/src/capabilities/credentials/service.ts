/**
 * The one credential mechanism (ARCHITECTURE.md §6): admin API tokens, personal tokens, service,
 * enrollment, SCIM and setup tokens are all prefixed, checksummed random secrets stored by digest,
 * with abilities, an owner, an optional expiry, last-used time and revocation. Verification is a
 * digest lookup served from the invalidated cache in steady state; a revocation, its audit event and
 * its invalidation commit together, so every process drops its cached copy within a second.
 */

import type { Principal } from '../../access/principal.ts';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { digestSecret, generateSecret, parseSecret } from '../../crypto/secret-token.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { toIso, toIsoOrNull } from '../../storage/time.ts';
import { isAbility, isScope, normaliseAbilities } from './abilities.ts';
import { createLastUsedWriter } from './last-used.ts';
import type { CredentialRow, CredentialStore } from './store.ts';

/** Credential kinds; the kind is also the secret's prefix (`gk_<kind>_…`). */
export const CREDENTIAL_KINDS = {
  adm: 'admin API token',
  pat: 'personal API token',
  svc: 'service token',
  enr: 'enrollment token',
  scim: 'SCIM provisioning token',
  setup: 'one-time setup link',
  cls: 'OAuth client secret',
} as const;
export type CredentialKind = keyof typeof CREDENTIAL_KINDS;

/** Kinds whose abilities are free-form gateway scopes (see `isScope`), not admin API abilities. */
const SCOPED_KINDS: readonly string[] = ['pat', 'svc'];

const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 50_000;

export interface IssueInput {
  kind: CredentialKind;
  tenantId: string | null;
  ownerType: 'user' | 'client' | 'system';
  ownerId?: string | null;
  name: string;
  abilities: readonly string[];
  expiresAt?: number | null;
}

/** Why `check` refused a secret. */
export type CredentialRefusal = 'malformed' | 'wrong_kind' | 'unknown' | 'revoked' | 'expired';

export interface CredentialView {
  id: string;
  kind: string;
  tenant: string | null;
  name: string;
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

export interface CredentialsService {
  /**
   * Issues a credential. `supersede`: atomically revoke every other live credential of the same kind
   * and scope, so only the new one is valid, even when several instances issue at once.
   */
  issue(
    input: IssueInput,
    ctx: ActionContext,
    options?: { supersede?: boolean },
  ): Promise<{ secret: string; credential: CredentialView }>;
  /** Verifies a live credential of one of `kinds`; throws invalid_token. */
  verify(secret: string, kinds: readonly CredentialKind[]): Promise<CredentialRow>;
  /**
   * Like `verify`, but answers why a secret is refused instead of throwing (the gateway audits the
   * reason of every denial). Same cache, same last-used noting.
   */
  check(secret: string, kinds: readonly CredentialKind[]): Promise<CredentialRow | CredentialRefusal>;
  /**
   * Verifies an admin API token (`adm`; gateway tokens never authenticate here) and builds the
   * request principal.
   */
  authenticateAdmin(secret: string): Promise<Principal>;
  /** Consumes a single-use credential atomically; throws invalid_token when already used or expired. */
  consume(secret: string, kind: CredentialKind, ctx: ActionContext): Promise<CredentialRow>;
  /** Makes a consumed single-use credential usable again when the work it guarded failed. */
  release(row: CredentialRow): Promise<void>;
  revoke(id: string, tenantId: string | null, ctx: ActionContext): Promise<void>;
  revokeKind(kind: CredentialKind, tenantId: string | null): Promise<number>;
  /** The credentials of one owner (e.g. a client's secrets), newest first. */
  listOwned(
    ownerType: 'user' | 'client',
    ownerId: string,
    kinds: readonly CredentialKind[],
  ): Promise<CredentialView[]>;
  /** Revokes every live credential of one owner (e.g. when the client is deleted), audited per credential. */
  revokeOwned(ownerType: 'user' | 'client', ownerId: string, ctx: ActionContext): Promise<number>;
  list(
    tenantId: string | null,
    kinds: readonly CredentialKind[],
    options: ListOptions<'createdAt'>,
  ): Promise<Page<CredentialView>>;
  get(id: string, tenantId: string | null): Promise<CredentialView>;
  countKind(kind: CredentialKind): Promise<number>;
  /** Tenant-scoped credentials of a kind per tenant slug (what a listing of all-tenant ones omits). */
  countByTenant(kind: CredentialKind): Promise<{ tenant: string; count: number }[]>;
  /** Writes the last-used times noted so far (they are written in batches every few seconds). */
  flushLastUsed(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CredentialsDeps {
  store: CredentialStore;
  database: Database;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  slugOf(tenantId: string): Promise<string>;
  /**
   * Whether the user owning a personal token may use it now (an active user of its tenant). Checked
   * at every use, so a disabled owner's tokens stop working.
   */
  ownerActive?(tenantId: string, userId: string): Promise<boolean>;
  /** How often noted last-used times are written (default 5000 ms). */
  lastUsedIntervalMs?: number;
  onError?: (err: unknown, what: string) => void;
}

export function createCredentialsService(deps: CredentialsDeps): CredentialsService {
  const { store, bus, database } = deps;
  // digest → row, or null for an unknown digest (so probes with random tokens stay off the database)
  const cache = createInvalidatedCache<CredentialRow | null>({
    name: 'credentials',
    feed: deps.changes,
    load: async (digest) => (await store.byDigest(digest)) ?? null,
    ttlMs: CACHE_TTL_MS,
    maxEntries: CACHE_MAX,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  const lastUsed = createLastUsedWriter({
    write: (ids, now) => store.touchMany(ids, now),
    ...(deps.lastUsedIntervalMs ? { intervalMs: deps.lastUsedIntervalMs } : {}),
    onError: (err) => deps.onError?.(err, 'credential last-used write'),
  });

  async function view(row: CredentialRow): Promise<CredentialView> {
    return {
      id: row.id,
      kind: row.kind,
      tenant: row.tenant_id === null ? null : await deps.slugOf(row.tenant_id),
      name: row.name,
      prefix: row.prefix,
      abilities: JSON.parse(row.abilities) as string[],
      ownerType: row.owner_type,
      ownerId: row.owner_id,
      expiresAt: toIsoOrNull(row.expires_at),
      lastUsedAt: toIsoOrNull(row.last_used_at),
      revokedAt: toIsoOrNull(row.revoked_at),
      createdAt: toIso(row.created_at),
      createdBy: row.created_by,
    };
  }

  function emit(
    type: string,
    row: CredentialRow,
    ctx: ActionContext,
    tenant: string | null,
    result: 'success' | 'failure' = 'success',
  ) {
    bus.emit({
      type,
      tenant,
      actor: ctx.actor,
      target: `credential:${row.id}`,
      result,
      requestId: ctx.requestId ?? null,
      data: { kind: row.kind, name: row.name, prefix: row.prefix },
    });
  }

  const service: CredentialsService = {
    async issue(input, ctx, options = {}) {
      const abilities = normaliseAbilities(input.abilities);
      const scoped = SCOPED_KINDS.includes(input.kind);
      const bad = abilities.find((a) => !(scoped ? isScope(a) : isAbility(a)));
      if (bad !== undefined)
        throw new AppError('validation_failed', {
          detail: `${scoped ? 'not a scope (noun:verb, noun:* or *)' : 'unknown ability'} "${bad.slice(0, 64)}"`,
        });
      const now = Date.now();
      if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt <= now) {
        throw new AppError('validation_failed', { detail: 'expiresAt must be in the future' });
      }
      const { secret, digest, prefix } = generateSecret(input.kind);
      const tenant = input.tenantId === null ? null : await deps.slugOf(input.tenantId);
      const row: CredentialRow = {
        id: newId(now),
        tenant_id: input.tenantId,
        kind: input.kind,
        owner_type: input.ownerType,
        owner_id: input.ownerId ?? null,
        name: input.name,
        prefix,
        digest,
        abilities: JSON.stringify(abilities),
        expires_at: input.expiresAt ?? null,
        last_used_at: null,
        revoked_at: null,
        created_at: now,
        created_by: ctx.actor,
      };
      await database.write(async () => {
        if (options.supersede) {
          // the superseded ones are revoked in the same transaction: drop them everywhere
          if ((await store.insertSuperseding(row)) > 0) await cache.invalidateAll();
        } else {
          await store.insert(row);
        }
        // a probe may have cached this digest as unknown (it cannot have: the secret is new; cheap anyway)
        await cache.invalidate(digest);
        emit('credential.issued', row, ctx, tenant);
      });
      return { secret, credential: await view(row) };
    },
    async verify(secret, kinds) {
      const row = await service.check(secret, kinds);
      if (row === 'malformed' || row === 'wrong_kind')
        throw new AppError('invalid_token', { detail: 'not a valid credential' });
      if (typeof row === 'string')
        throw new AppError('invalid_token', { detail: 'the credential is unknown, revoked or expired' });
      return row;
    },
    async check(secret, kinds) {
      const parsed = parseSecret(secret);
      if (!parsed) return 'malformed';
      if (!(kinds as readonly string[]).includes(parsed.kind)) return 'wrong_kind';
      const row = await cache.get(digestSecret(parsed.secret));
      const now = Date.now();
      if (!row) return 'unknown';
      if (row.revoked_at !== null) return 'revoked';
      if (row.expires_at !== null && row.expires_at <= now) return 'expired';
      if (row.last_used_at === null || row.last_used_at < now - 60_000) {
        row.last_used_at = now;
        lastUsed.note(row.id);
      }
      return row;
    },
    async authenticateAdmin(secret) {
      const row = await service.verify(secret, ['adm']);
      if (row.owner_type === 'user' && row.tenant_id !== null && row.owner_id !== null && deps.ownerActive) {
        if (!(await deps.ownerActive(row.tenant_id, row.owner_id)))
          throw new AppError('invalid_token', { detail: 'the owner of this token is not active' });
      }
      return {
        credentialId: row.id,
        actor: `credential:${row.id}`,
        tenantId: row.tenant_id,
        tenantSlug: row.tenant_id === null ? null : await deps.slugOf(row.tenant_id),
        abilities: JSON.parse(row.abilities) as string[],
      };
    },
    async consume(secret, kind, ctx) {
      const parsed = parseSecret(secret);
      const row =
        parsed?.kind === kind
          ? await database.write(async () => {
              const consumed = await store.consume(digestSecret(parsed.secret), kind, Date.now());
              if (!consumed) return undefined;
              await cache.invalidate(consumed.digest);
              const tenant = consumed.tenant_id === null ? null : await deps.slugOf(consumed.tenant_id);
              emit('credential.consumed', consumed, ctx, tenant);
              return consumed;
            })
          : undefined;
      if (!row)
        throw new AppError('invalid_token', { detail: 'the link is invalid, expired or already used' });
      return row;
    },
    async release(row) {
      if (row.revoked_at === null) return;
      const revokedAt = row.revoked_at;
      await database.write(async () => {
        if (await store.release(row.id, revokedAt)) await cache.invalidate(row.digest);
      });
    },
    async revoke(id, tenantId, ctx) {
      const tenant = tenantId === null ? null : await deps.slugOf(tenantId);
      const revoked = await database.write(async () => {
        const row = await store.revoke(id, tenantId, Date.now());
        if (!row) return false;
        await cache.invalidate(row.digest);
        emit('credential.revoked', row, ctx, tenant);
        return true;
      });
      if (revoked) return;
      const existing = await store.byId(id);
      if (!existing || existing.tenant_id !== tenantId)
        throw new AppError('not_found', { detail: 'no such credential' });
      // already revoked: idempotent, and audited once (by the call that revoked it)
    },
    async revokeKind(kind, tenantId) {
      return database.write(async () => {
        const n = await store.revokeKind(kind, tenantId, Date.now());
        if (n > 0) await cache.invalidateAll();
        return n;
      });
    },
    async listOwned(ownerType, ownerId, kinds) {
      return Promise.all((await store.listByOwner(ownerType, ownerId, kinds)).map(view));
    },
    async revokeOwned(ownerType, ownerId, ctx) {
      return database.write(async () => {
        const rows = await store.revokeByOwner(ownerType, ownerId, Date.now());
        for (const row of rows) {
          await cache.invalidate(row.digest);
          emit(
            'credential.revoked',
            row,
            ctx,
            row.tenant_id === null ? null : await deps.slugOf(row.tenant_id),
          );
        }
        return rows.length;
      });
    },
    async list(tenantId, kinds, options) {
      const rows = await store.list(tenantId, kinds, options);
      const page = toPage(
        rows,
        options,
        (r) => r.created_at,
        (r) => r,
      );
      return { items: await Promise.all(page.items.map(view)), nextCursor: page.nextCursor };
    },
    async get(id, tenantId) {
      const row = await store.byId(id);
      if (!row || row.tenant_id !== tenantId)
        throw new AppError('not_found', { detail: 'no such credential' });
      return view(row);
    },
    countKind: (kind) => store.countKind(kind),
    async countByTenant(kind) {
      const rows = await store.countByTenant(kind);
      const named = await Promise.all(
        rows.map(async (r) => ({ tenant: await deps.slugOf(r.tenantId), count: r.count })),
      );
      return named.sort((a, b) => a.tenant.localeCompare(b.tenant));
    },
    flushLastUsed: () => lastUsed.flush(),
    async start() {
      cache.start();
      lastUsed.start();
    },
    async stop() {
      cache.stop();
      await lastUsed.stop();
    },
  };
  return service;
}
