/**
 * Server-side sessions. The browser holds a random 256-bit id; the database holds its SHA-256 digest
 * with who signed in, how (`amr`, `acr`), from where and when. A request is authenticated from the
 * invalidated cache (no SQL in steady state); `last_seen_at` is written at most once per
 * `touchIntervalMs` per session, off the request path. Every revocation commits with an
 * invalidation of the session's cache key, so every instance refuses the session within a second.
 * Starting a session evicts the user's oldest ones beyond the tenant's limit, under a per-user lock.
 */
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { digestSecret, randomToken } from '../../crypto/secret-token.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import { toIso } from '../../storage/time.ts';
import type { SessionView } from './schemas.ts';
import type { SignInSettingsService } from './settings.ts';
import type { AccountsStore, SessionRow } from './store.ts';

/** A live session as other capabilities see it. */
export interface Session {
  /** Public handle (lists, revocation); not the cookie value. */
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  /** RFC 8176 authentication method references, e.g. `['pwd']`, `['pwd', 'otp']`, `['hwk', 'user']`. */
  readonly amr: readonly string[];
  readonly acr: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly ip: string;
  readonly userAgent: string;
}

export interface CreateSessionInput {
  userId: string;
  amr: readonly string[];
  /** Default `urn:gatekeeper:acr:pwd` for a single factor, `…:mfa` when `amr` has two or more. */
  acr?: string;
  ip: string;
  userAgent: string;
}

export interface SessionsService {
  /**
   * The live session the cookie header carries for this tenant, or null (no cookie, unknown, revoked,
   * expired, idle too long, user disabled). No SQL in steady state.
   */
  authenticate(tenantId: string, cookieHeader: string | undefined): Promise<Session | null>;
  /** Like `authenticate`, for a caller that resolved the tenant already (the hosted pages). */
  authenticateIn(
    tenant: { id: string; slug: string },
    cookieHeader: string | undefined,
  ): Promise<Session | null>;
  /** The session behind a raw session id (the cookie's value), or null. */
  bySecret(tenantId: string, secret: string): Promise<Session | null>;
  /**
   * Starts a session; returns it and the secret to put in the cookie (see `cookieName`). `within`
   * runs in the session's unit of work with the user's other live sessions (the new-sign-in alert
   * queues its mail there, so it commits with the session or not at all).
   */
  create(
    tenantId: string,
    input: CreateSessionInput,
    ctx: ActionContext,
    within?: (others: readonly Session[]) => Promise<unknown>,
  ): Promise<{ session: Session; secret: string }>;
  /** The cookie carrying a tenant's session (`__Host-` prefixed over https). */
  cookieName(tenantSlug: string): string;
  list(tenantId: string, filter: { userId?: string; limit?: number }): Promise<SessionView[]>;
  get(tenantId: string, id: string): Promise<SessionView>;
  /** Ends one session; `userId` restricts it to that user's (self-service). Throws not_found. */
  revoke(
    tenantId: string,
    id: string,
    ctx: ActionContext & { reason?: string; userId?: string },
  ): Promise<void>;
  /** Ends every session of a user (but `exceptId`); returns how many. */
  revokeUser(
    tenantId: string,
    userId: string,
    ctx: ActionContext & { reason?: string; exceptId?: string },
  ): Promise<number>;
  /** Ends every session of the tenant; returns how many. */
  revokeTenant(tenantId: string, ctx: ActionContext & { reason?: string }): Promise<number>;
  start(): void;
  stop(): void;
}

export interface SessionsDeps {
  store: AccountsStore;
  database: Database;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  settings: SignInSettingsService;
  slugOf(id: string): Promise<string>;
  isActive(tenantId: string, userId: string): Promise<boolean>;
  /** Whether cookies are `__Host-`/`Secure` (an https public URL). */
  secureCookies(): boolean;
  onError(err: unknown, what: string): void;
  now?: () => number;
  touchIntervalMs?: number;
}

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const ACR_PASSWORD = 'urn:gatekeeper:acr:pwd';
export const ACR_MFA = 'urn:gatekeeper:acr:mfa';

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    amr: JSON.parse(row.amr) as string[],
    acr: row.acr,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

const views = new WeakMap<Session, SessionView>();

/** The API view of a session (memoized per cached session object: the hot self-service path). */
export function toSessionView(s: Session): SessionView {
  let view = views.get(s);
  if (!view) {
    view = buildView(s);
    views.set(s, view);
  }
  return view;
}

const json = new WeakMap<Session, string>();

/** The API view serialized once per cached session object (`GET …/account/api/session` sends it as is). */
export function sessionJson(s: Session): string {
  let text = json.get(s);
  if (text === undefined) {
    text = JSON.stringify(toSessionView(s));
    json.set(s, text);
  }
  return text;
}

function buildView(s: Session): SessionView {
  return {
    id: s.id,
    userId: s.userId,
    amr: [...s.amr],
    acr: s.acr,
    ip: s.ip,
    userAgent: s.userAgent,
    createdAt: toIso(s.createdAt),
    lastSeenAt: toIso(s.lastSeenAt),
    expiresAt: toIso(s.expiresAt),
  };
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  // scan for `name=` at a pair's start, without splitting the header (every request asks)
  let from = 0;
  for (;;) {
    const at = header.indexOf(name, from);
    if (at < 0) return undefined;
    let before = at - 1;
    while (before >= 0 && (header[before] === ' ' || header[before] === '\t')) before--;
    let after = at + name.length;
    while (header[after] === ' ' || header[after] === '\t') after++;
    if ((before < 0 || header[before] === ';') && header[after] === '=') {
      const end = header.indexOf(';', after + 1);
      return header.slice(after + 1, end < 0 ? undefined : end).trim();
    }
    from = at + 1;
  }
}

export function createSessionsService(deps: SessionsDeps): SessionsService {
  const { store, database, settings } = deps;
  const now = deps.now ?? Date.now;
  const touchInterval = deps.touchIntervalMs ?? 60_000;
  /** Last time this process wrote `last_seen_at`, per digest (bounded with the cache). */
  const lastSeen = new Map<string, number>();
  const cache = createInvalidatedCache<Session | null>({
    name: 'sessions',
    feed: deps.changes,
    load: async (key) => {
      const row = await store.sessionByDigest(key.slice(key.indexOf(':') + 1));
      return row ? toSession(row) : null;
    },
    ttlMs: 60_000,
    maxEntries: 100_000,
    scopeOf: (key) => key.slice(0, key.indexOf(':')),
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  const keyOf = (tenantId: string, digest: string) => `${tenantId}:${digest}`;

  function touch(digest: string, session: Session, at: number): void {
    const last = lastSeen.get(digest) ?? session.lastSeenAt;
    if (at - last < touchInterval) return;
    lastSeen.set(digest, at);
    if (lastSeen.size > 100_000) lastSeen.delete(lastSeen.keys().next().value as string);
    store.touchSession(digest, at).catch((err: unknown) => deps.onError(err, 'session last-seen update'));
  }

  async function bySecret(tenantId: string, secret: string): Promise<Session | null> {
    if (!SECRET_PATTERN.test(secret)) return null;
    const digest = digestSecret(secret);
    const session = await cache.get(keyOf(tenantId, digest));
    if (!session || session.tenantId !== tenantId) return null;
    const at = now();
    if (session.expiresAt <= at) return null;
    const policy = (await settings.get(tenantId)).sessions;
    const seen = Math.max(session.lastSeenAt, lastSeen.get(digest) ?? 0);
    if (at - seen > policy.idleTimeoutMinutes * 60_000) return null;
    if (!(await deps.isActive(tenantId, session.userId))) return null;
    touch(digest, session, at);
    return session;
  }

  async function emitRevoked(
    tenantId: string,
    ctx: ActionContext & { reason?: string },
    target: string | null,
    data: Record<string, unknown>,
  ) {
    deps.bus.emit({
      type: 'session.revoked',
      tenant: await deps.slugOf(tenantId),
      actor: ctx.actor,
      target,
      result: 'success',
      requestId: ctx.requestId ?? null,
      data: { reason: ctx.reason ?? 'revoked', ...data },
    });
  }

  async function invalidateDigests(tenantId: string, digests: readonly string[]) {
    for (const d of digests) {
      lastSeen.delete(d);
      await cache.invalidate(keyOf(tenantId, d));
    }
  }

  const cookieName = (slug: string) =>
    deps.secureCookies() ? `__Host-gk_session_${slug}` : `gk_session_${slug}`;

  return {
    async authenticate(tenantId, cookieHeader) {
      if (!cookieHeader) return null;
      const slug = await deps.slugOf(tenantId).catch(() => null);
      if (!slug) return null;
      const secret = readCookie(cookieHeader, cookieName(slug));
      return secret ? bySecret(tenantId, secret) : null;
    },
    async authenticateIn(tenant, cookieHeader) {
      const secret = readCookie(cookieHeader, cookieName(tenant.slug));
      return secret ? bySecret(tenant.id, secret) : null;
    },
    bySecret,
    cookieName,

    async create(tenantId, input, ctx, within) {
      const secret = randomToken(32);
      const at = now();
      const policy = (await settings.get(tenantId)).sessions;
      const row: SessionRow = {
        digest: digestSecret(secret),
        id: newId(at),
        tenant_id: tenantId,
        user_id: input.userId,
        amr: JSON.stringify([...new Set(input.amr)]),
        acr: input.acr ?? (new Set(input.amr).size >= 2 ? ACR_MFA : ACR_PASSWORD),
        ip: input.ip.slice(0, 64),
        user_agent: input.userAgent.slice(0, 512),
        created_at: at,
        last_seen_at: at,
        expires_at: at + policy.absoluteLifetimeMinutes * 60_000,
      };
      const slug = await deps.slugOf(tenantId);
      await database.write(async () => {
        await database.db
          .transaction()
          .execute((trx) => database.dialect.lockInTransaction(trx, `sessions:${tenantId}:${input.userId}`));
        await store.deleteExpired(tenantId, input.userId, at);
        await store.insertSession(row);
        const live = await store.sessionsOfUser(tenantId, input.userId, at);
        const evicted = live.slice(0, Math.max(0, live.length - policy.maxPerUser));
        const digests = await store.deleteSessions(
          tenantId,
          evicted.map((s) => s.id),
        );
        await invalidateDigests(tenantId, digests);
        if (within) await within(live.filter((s) => s.id !== row.id).map(toSession));
        deps.bus.emit({
          type: 'sign_in.succeeded',
          tenant: slug,
          actor: ctx.actor,
          target: `user:${input.userId}`,
          result: 'success',
          requestId: ctx.requestId ?? null,
          data: { session: row.id, amr: JSON.parse(row.amr), acr: row.acr, ip: row.ip },
        });
        for (const s of evicted)
          deps.bus.emit({
            type: 'session.revoked',
            tenant: slug,
            actor: 'system',
            target: `user:${input.userId}`,
            result: 'success',
            requestId: ctx.requestId ?? null,
            data: { reason: 'session_limit', session: s.id, limit: policy.maxPerUser },
          });
      });
      return { session: toSession(row), secret };
    },

    async list(tenantId, filter) {
      const at = now();
      const rows = filter.userId
        ? await store.sessionsOfUser(tenantId, filter.userId, at)
        : await store.sessionsOfTenant(tenantId, at, Math.min(filter.limit ?? 200, 1000));
      return rows.map((r) => toSessionView(toSession(r)));
    },

    async get(tenantId, id) {
      const row = id.length <= 64 ? await store.sessionById(tenantId, id) : undefined;
      if (!row || Number(row.expires_at) <= now())
        throw new AppError('not_found', { detail: 'no such session' });
      return toSessionView(toSession(row));
    },

    async revoke(tenantId, id, ctx) {
      await database.write(async () => {
        const row = id.length <= 64 ? await store.sessionById(tenantId, id) : undefined;
        if (!row || (ctx.userId && row.user_id !== ctx.userId))
          throw new AppError('not_found', { detail: 'no such session' });
        const digests = await store.deleteSessions(tenantId, [id]);
        await invalidateDigests(tenantId, digests);
        await emitRevoked(tenantId, ctx, `user:${row.user_id}`, { session: id });
      });
    },

    async revokeUser(tenantId, userId, ctx) {
      return database.write(async () => {
        const digests = await store.deleteUserSessions(tenantId, userId, ctx.exceptId);
        await invalidateDigests(tenantId, digests);
        await emitRevoked(tenantId, ctx, `user:${userId}`, { count: digests.length });
        return digests.length;
      });
    },

    async revokeTenant(tenantId, ctx) {
      return database.write(async () => {
        const count = await store.deleteTenantSessions(tenantId);
        await cache.invalidateScope(tenantId);
        await emitRevoked(tenantId, ctx, null, { count, scope: 'tenant' });
        return count;
      });
    },

    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
