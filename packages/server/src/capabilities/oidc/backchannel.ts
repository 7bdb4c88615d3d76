/**
 * OpenID Connect Back-Channel Logout when a Gatekeeper session ends. RP-initiated logout at
 * `<issuer>/session/end` is the library's own (it notifies the session's relying parties itself);
 * this covers every other end of a Gatekeeper session — the hosted sign-out page, revoking a session
 * from the account page, the admin API or the CLI, a session evicted by the per-user limit.
 *
 * Each successful authorization records which provider session (its uid) was made from which
 * Gatekeeper session (`oidc_session_links`). When a `session.revoked` event is heard (after its
 * commit), the links of that user (or tenant) whose Gatekeeper session no longer exists are
 * followed: for every client of that provider session with a `backchannel_logout_uri`, the library's
 * own `client.backchannelLogout(sub, sid)` signs a logout token with the tenant's key and POSTs it
 * (through the provider's outbound fetch); then the provider session is destroyed and the link
 * dropped. Deliveries are audited as `oidc.backchannel_logout` (success or failure, never the token).
 *
 * A failed delivery (the receiver unreachable, or answering other than 200/204) is tried again up to
 * `oidcBackchannelLogoutAttempts` attempts in all, after `oidcBackchannelLogoutRetryBaseMs`, then
 * twice as long each time (at most an hour), each attempt with a freshly signed logout token and
 * audited with its number. The same holds for the library's own deliveries at RP-initiated logout
 * (`backchannel.error`). A waiting retry is a row (`oidc_logout_retries`, migration 0046), so it
 * survives a restart and any server instance may run it: a worker claims a due row by moving its due
 * time a lease ahead (guarded, so no two instances take one), tries it, then deletes the row or sets
 * the next due time; one that dies mid-attempt leaves a row due again when the lease ends (a logout
 * token may then arrive twice, never not at all). A client that meanwhile lost its logout URI (or
 * was deleted, or disabled) is not tried again.
 */
import type Provider from 'oidc-provider';
import type { EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';

export interface SessionLinks {
  link(tenantId: string, sessionUid: string, gkSessionId: string, userId: string): Promise<void>;
  /**
   * Links whose Gatekeeper session no longer exists — of one user of a tenant, of a tenant (userId
   * null), or of every tenant (tenantId null: the periodic reconciliation).
   */
  ended(tenantId: string | null, userId: string | null, limit: number): Promise<EndedLink[]>;
  drop(tenantId: string, sessionUid: string): Promise<void>;
  /** Deletes links older than `beforeMs` (their provider sessions have expired). */
  sweep(beforeMs: number): Promise<void>;
}

export interface EndedLink {
  tenantId: string;
  sessionUid: string;
  gkSessionId: string;
}

export function createSessionLinks(database: Database): SessionLinks {
  const { db } = database;
  // uid → Gatekeeper session last linked here: one write per new pairing, not per authorization
  const recent = new Map<string, string>();
  return {
    async link(tenantId, sessionUid, gkSessionId, userId) {
      const key = `${tenantId} ${sessionUid}`;
      if (recent.get(key) === gkSessionId) return;
      await db
        .insertInto('oidc_session_links')
        .values({
          tenant_id: tenantId,
          session_uid: sessionUid,
          gk_session_id: gkSessionId,
          user_id: userId,
          created_at: Date.now(),
        })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'session_uid'])
            .doUpdateSet({ gk_session_id: gkSessionId, user_id: userId, created_at: Date.now() }),
        )
        .execute();
      recent.set(key, gkSessionId);
      if (recent.size > 10_000) recent.delete(recent.keys().next().value as string);
    },
    async ended(tenantId, userId, limit) {
      let q = db
        .selectFrom('oidc_session_links as l')
        .select(['l.tenant_id', 'l.session_uid', 'l.gk_session_id'])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('sessions as s')
                .select('s.id')
                .whereRef('s.id', '=', 'l.gk_session_id')
                .whereRef('s.tenant_id', '=', 'l.tenant_id'),
            ),
          ),
        );
      if (tenantId !== null) q = q.where('l.tenant_id', '=', tenantId);
      if (userId !== null) q = q.where('l.user_id', '=', userId);
      const rows = await q.limit(limit).execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        sessionUid: r.session_uid,
        gkSessionId: r.gk_session_id,
      }));
    },
    async drop(tenantId, sessionUid) {
      recent.delete(`${tenantId} ${sessionUid}`);
      await db
        .deleteFrom('oidc_session_links')
        .where('tenant_id', '=', tenantId)
        .where('session_uid', '=', sessionUid)
        .execute();
    },
    async sweep(beforeMs) {
      await db.deleteFrom('oidc_session_links').where('created_at', '<', beforeMs).execute();
    },
  };
}

interface ProviderSession {
  accountId?: string;
  authorizations?: Record<string, { sid?: string }>;
  destroy(): Promise<void>;
}

interface LogoutClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

/** One logout token to deliver: to which client of which tenant, for which user and session. */
export interface LogoutDelivery {
  tenantId: string;
  slug: string;
  clientId: string;
  sub: string;
  sid: string | undefined;
  /** The Gatekeeper session that ended (null at RP-initiated logout). */
  gkSessionId: string | null;
}

export interface LogoutDeliveries {
  /** The first attempt (audited; a failure stores a retry); whether the receiver took it. */
  deliver(provider: Provider, d: LogoutDelivery): Promise<boolean>;
  /** Stores a retry of a delivery whose attempt number `failed` has failed elsewhere (the library's own). */
  retry(d: LogoutDelivery, failed: number): Promise<void>;
  /** Runs the retries that are due, in this process (servers: `start` does it periodically). */
  runDue(): Promise<number>;
  /** Retries waiting for their time (any process's). */
  pending(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 3_600_000;
/** How long a claimed retry is kept from other workers while its attempt runs. */
const CLAIM_LEASE_MS = 60_000;
const DUE_BATCH = 20;

export function createLogoutDeliveries(deps: {
  database: Database;
  bus: EventBus;
  /** The tenant's provider when a retry is due (the pool may have rebuilt it meanwhile). */
  providerOf(tenantId: string, slug: string): Promise<Provider>;
  /** Attempts in all, the first included. */
  attempts(): number;
  retryBaseMs(): number;
  onError(err: unknown): void;
  now?: () => number;
}): LogoutDeliveries {
  const { db } = deps.database;
  const now = deps.now ?? Date.now;
  let poller: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  /** The wait before attempt `failed + 1`, or null when `failed` attempts were all there are. */
  const delayAfter = (failed: number) =>
    failed >= deps.attempts() ? null : Math.min(deps.retryBaseMs() * 2 ** (failed - 1), MAX_RETRY_DELAY_MS);

  async function store(d: LogoutDelivery, failed: number, delay: number): Promise<void> {
    const at = now();
    await db
      .insertInto('oidc_logout_retries')
      .values({
        id: newId(at),
        tenant_id: d.tenantId,
        slug: d.slug,
        client_id: d.clientId,
        sub: d.sub,
        sid: d.sid ?? null,
        gk_session_id: d.gkSessionId,
        failed,
        due_at: at + delay,
        created_at: at,
      })
      .execute();
  }

  /** One attempt, audited with its number; the wait before the next when it failed and may be retried. */
  async function attempt(
    provider: Provider | null,
    d: LogoutDelivery,
    n: number,
  ): Promise<{ ok: boolean; retryInMs: number | null }> {
    let error: string | null = null;
    let retriable = true;
    try {
      const p = provider ?? (await deps.providerOf(d.tenantId, d.slug));
      const client = (await p.Client.find(d.clientId).catch(() => undefined)) as LogoutClient | undefined;
      if (!client?.backchannelLogoutUri) {
        error = 'the client no longer has a back-channel logout URI';
        retriable = false;
      } else await client.backchannelLogout(d.sub, d.sid);
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
    }
    const retryInMs = error !== null && retriable ? delayAfter(n) : null;
    deps.bus.emit({
      type: 'oidc.backchannel_logout',
      tenant: d.slug,
      actor: 'system',
      target: `user:${d.sub}`,
      result: error === null ? 'success' : 'failure',
      requestId: null,
      data: {
        clientId: d.clientId,
        ...(d.gkSessionId ? { session: d.gkSessionId } : {}),
        attempt: n,
        ...(error === null ? {} : { error }),
        ...(retryInMs === null ? {} : { retryInMs }),
      },
    });
    return { ok: error === null, retryInMs };
  }

  async function runDue(): Promise<number> {
    const at = now();
    const due = await db
      .selectFrom('oidc_logout_retries')
      .selectAll()
      .where('due_at', '<=', at)
      .orderBy('due_at')
      .limit(DUE_BATCH)
      .execute();
    let ran = 0;
    for (const row of due) {
      // claim: the due time moves a lease ahead, guarded by the value read (another worker may have it)
      const claimed = await db
        .updateTable('oidc_logout_retries')
        .set({ due_at: at + CLAIM_LEASE_MS })
        .where('id', '=', row.id)
        .where('due_at', '=', row.due_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      ran++;
      const d: LogoutDelivery = {
        tenantId: row.tenant_id,
        slug: row.slug,
        clientId: row.client_id,
        sub: row.sub,
        sid: row.sid ?? undefined,
        gkSessionId: row.gk_session_id,
      };
      const n = Number(row.failed) + 1;
      const { retryInMs } = await attempt(null, d, n);
      if (retryInMs === null) await db.deleteFrom('oidc_logout_retries').where('id', '=', row.id).execute();
      else
        await db
          .updateTable('oidc_logout_retries')
          .set({ failed: n, due_at: now() + retryInMs })
          .where('id', '=', row.id)
          .execute();
    }
    return ran;
  }

  const runOnce = () => {
    running ??= runDue().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    async deliver(provider, d) {
      const { ok, retryInMs } = await attempt(provider, d, 1);
      if (retryInMs !== null) await store(d, 1, retryInMs).catch(deps.onError);
      return ok;
    },
    async retry(d, failed) {
      const delay = delayAfter(failed);
      if (delay !== null) await store(d, failed, delay);
    },
    runDue: runOnce,
    async pending() {
      const r = await db
        .selectFrom('oidc_logout_retries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    start() {
      if (poller) return;
      // often enough that a retry runs close to its time (a quarter of the first wait, 50 ms to 1 s)
      const every = Math.min(1000, Math.max(50, Math.floor(deps.retryBaseMs() / 4)));
      poller = setInterval(() => {
        runOnce().catch(deps.onError);
      }, every);
      poller.unref();
    },
    async stop() {
      clearInterval(poller);
      poller = undefined;
      await running?.catch(() => {});
    },
  };
}

/**
 * Notifies the relying parties of provider sessions (of one tenant) whose Gatekeeper session ended,
 * destroys those provider sessions and drops their links; returns how many logout tokens were taken
 * at the first attempt (failures are retried by `deliveries`).
 */
export async function logoutEndedSessions(deps: {
  provider: Provider;
  links: SessionLinks;
  ended: readonly EndedLink[];
  slug: string;
  deliveries: LogoutDeliveries;
}): Promise<number> {
  const { provider, links } = deps;
  let sent = 0;
  for (const link of deps.ended) {
    const session = (await provider.Session.findByUid(link.sessionUid)) as ProviderSession | undefined;
    if (session?.accountId) {
      for (const [clientId, authorization] of Object.entries(session.authorizations ?? {})) {
        const client = (await provider.Client.find(clientId).catch(() => undefined)) as
          | LogoutClient
          | undefined;
        if (!client?.backchannelLogoutUri) continue;
        const delivered = await deps.deliveries.deliver(provider, {
          tenantId: link.tenantId,
          slug: deps.slug,
          clientId,
          sub: session.accountId,
          sid: authorization.sid,
          gkSessionId: link.gkSessionId,
        });
        if (delivered) sent++;
      }
      await session.destroy();
    }
    await links.drop(link.tenantId, link.sessionUid);
  }
  return sent;
}

/** Records, on each successful authorization, the Gatekeeper session its provider session came from. */
export function attachSessionLinking(
  provider: Provider,
  deps: {
    links: SessionLinks;
    tenantId: string;
    sessionOf(cookieHeader: string | undefined): Promise<{ id: string; userId: string } | null>;
    onError(err: unknown): void;
  },
): void {
  provider.on('authorization.success', (ctx) => {
    const session = ctx.oidc?.session as { uid?: string; accountId?: string } | undefined;
    const { uid, accountId } = session ?? {};
    if (!uid || !accountId) return;
    deps
      .sessionOf(ctx.get('cookie') || undefined)
      .then((gk) =>
        gk && gk.userId === accountId ? deps.links.link(deps.tenantId, uid, gk.id, gk.userId) : undefined,
      )
      .catch(deps.onError);
  });
}
