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
 * (`backchannel.error`). The retries are in-process timers, not an outbox: they are lost if the
 * process stops while one is pending. A client that meanwhile lost its logout URI (or was deleted,
 * or disabled) is not tried again.
 */
import type Provider from 'oidc-provider';
import type { EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';

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
  /** The first attempt (audited; a failure schedules the retries); whether the receiver took it. */
  deliver(provider: Provider, d: LogoutDelivery): Promise<boolean>;
  /** Retries a delivery whose attempt number `failed` has failed elsewhere (the library's own). */
  retry(d: LogoutDelivery, failed: number): void;
  /** Retries waiting for their time. */
  pending(): number;
  stop(): void;
}

const MAX_RETRY_DELAY_MS = 3_600_000;

export function createLogoutDeliveries(deps: {
  bus: EventBus;
  /** The tenant's provider when a retry is due (the pool may have rebuilt it meanwhile). */
  providerOf(tenantId: string, slug: string): Promise<Provider>;
  /** Attempts in all, the first included. */
  attempts(): number;
  retryBaseMs(): number;
  onError(err: unknown): void;
}): LogoutDeliveries {
  const timers = new Set<NodeJS.Timeout>();

  function schedule(d: LogoutDelivery, failed: number): number | null {
    if (failed >= deps.attempts()) return null;
    const delay = Math.min(deps.retryBaseMs() * 2 ** (failed - 1), MAX_RETRY_DELAY_MS);
    const timer = setTimeout(() => {
      timers.delete(timer);
      attempt(null, d, failed + 1).catch(deps.onError);
    }, delay);
    timer.unref();
    timers.add(timer);
    return delay;
  }

  async function attempt(provider: Provider | null, d: LogoutDelivery, n: number): Promise<boolean> {
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
    const retryInMs = error !== null && retriable ? schedule(d, n) : null;
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
    return error === null;
  }

  return {
    deliver: (provider, d) => attempt(provider, d, 1),
    retry(d, failed) {
      schedule(d, failed);
    },
    pending: () => timers.size,
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
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
