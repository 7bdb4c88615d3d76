/**
 * Magic sign-in links and password-reset links: single-use bearer links sent by mail.
 * - A request never tells whether the address belongs to anyone (no user enumeration): the answer is
 *   the same and takes the same time (every request is padded to one floor, far above the work done).
 * - Requests are rate limited per address and per client IP through the shared state.
 * - The token is 256 random bits; only its SHA-256 is stored. The link and its mail are written in one
 *   unit of work (the mail outbox), so a link exists exactly when its mail is queued.
 * - Consuming is one `DELETE … RETURNING` guarded by purpose and expiry: a second use, a tampered
 *   token or an expired one is refused and audited.
 * - A magic link is bound to the browser that asked for it (a check cookie whose digest is stored):
 *   opened there it signs in at once; opened elsewhere (another device, or a mail scanner following
 *   links) it asks for a confirmation first, so a prefetch never spends it.
 */
import { digestSecret, randomToken, safeEqual } from '../../crypto/secret-token.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { UserMailer } from '../../mail/user-mailer.ts';
import type { RateLimiter } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import type { SignInLinksTable } from '../../storage/tables.ts';

export type LinkPurpose = SignInLinksTable['purpose'];

export interface LinkRequest {
  tenantId: string;
  tenantSlug: string;
  email: string;
  ip: string;
  /** Magic links: the check cookie value of the asking browser, and where to go after. */
  check?: string;
  returnTo?: string;
}

export type LinkRequestResult = 'sent' | 'rate_limited';

export interface ConsumedLink {
  userId: string;
  returnTo: string | null;
}

export type LinkPeek = { valid: false } | { valid: true; sameBrowser: boolean; userId: string };

export interface SignInLinksService {
  /** Queues a magic link when the address is a user's; 'sent' either way unless rate limited. */
  requestMagicLink(req: LinkRequest, ctx: ActionContext): Promise<LinkRequestResult>;
  requestPasswordReset(req: LinkRequest, ctx: ActionContext): Promise<LinkRequestResult>;
  /** Whether a token is live (and opened in the browser that asked), without spending it. */
  peek(tenantId: string, purpose: LinkPurpose, token: string, check: string | undefined): Promise<LinkPeek>;
  /** Spends the token once; null (audited) when it is unknown, used, expired or tampered with. */
  consume(
    tenant: { id: string; slug: string },
    purpose: LinkPurpose,
    token: string,
    ctx: ActionContext,
  ): Promise<ConsumedLink | null>;
  /** A fresh check-cookie value. */
  newCheck(): string;
}

export interface SignInLinksDeps {
  database: Database;
  bus: EventBus;
  mailer: UserMailer;
  /** The active user with this email in the tenant, or null. */
  findUserByEmail(tenantId: string, email: string): Promise<{ id: string } | null>;
  limiters: { perAddress: RateLimiter; perIp: RateLimiter };
  ttlSeconds(purpose: LinkPurpose): number;
  publicUrl(): string;
  /** Minimum duration of a request (ms), the same whether or not the address is known. Default 400. */
  requestFloorMs?: number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const PATH: Record<LinkPurpose, string> = { magic: 'magic-link/open', reset: 'reset-password' };
const TEMPLATE = { magic: 'magic-link', reset: 'password-reset' } as const;
const EVENT = { magic: 'magic_link', reset: 'password_reset' } as const;

export function createSignInLinksService(deps: SignInLinksDeps): SignInLinksService {
  const { database, bus } = deps;
  const { db } = database;
  const floor = deps.requestFloorMs ?? 400;

  const emit = (
    tenantSlug: string,
    type: string,
    ctx: ActionContext,
    result: 'success' | 'failure' | 'denied',
    target: string | null,
    data: Record<string, unknown>,
  ) =>
    bus.emit({
      type,
      tenant: tenantSlug,
      actor: ctx.actor,
      target,
      result,
      requestId: ctx.requestId ?? null,
      data,
    });

  async function request(
    purpose: LinkPurpose,
    req: LinkRequest,
    ctx: ActionContext,
  ): Promise<LinkRequestResult> {
    const started = Date.now();
    try {
      const address = req.email.trim().toLowerCase();
      const [byAddress, byIp] = await Promise.all([
        deps.limiters.perAddress.consume(`${purpose}:${req.tenantId}:${address}`),
        deps.limiters.perIp.consume(`${purpose}:${req.ip}`),
      ]);
      if (!byAddress.allowed || !byIp.allowed) {
        emit(req.tenantSlug, `${EVENT[purpose]}.rate_limited`, ctx, 'denied', null, {
          ip: req.ip,
          limit: byAddress.allowed ? 'ip' : 'address',
        });
        return 'rate_limited';
      }
      const user = address.length <= 254 ? await deps.findUserByEmail(req.tenantId, address) : null;
      if (!user) {
        // audited (for the operator), answered exactly like a known address
        emit(req.tenantSlug, `${EVENT[purpose]}.requested`, ctx, 'failure', null, {
          reason: 'unknown_address',
          ip: req.ip,
        });
        return 'sent';
      }
      const token = randomToken(32);
      const now = Date.now();
      const ttl = deps.ttlSeconds(purpose);
      const link = `${deps.publicUrl().replace(/\/$/, '')}/t/${req.tenantSlug}/${PATH[purpose]}?token=${token}`;
      await database.write(async () => {
        await db
          .insertInto('sign_in_links')
          .values({
            digest: digestSecret(token),
            purpose,
            tenant_id: req.tenantId,
            user_id: user.id,
            check_digest: req.check ? digestSecret(req.check) : null,
            return_to: req.returnTo ?? null,
            expires_at: now + ttl * 1000,
            created_at: now,
          })
          .execute();
        await deps.mailer.send(req.tenantId, user.id, TEMPLATE[purpose], {
          link,
          expiresInMinutes: String(Math.round(ttl / 60)),
        });
        emit(req.tenantSlug, `${EVENT[purpose]}.requested`, ctx, 'success', `user:${user.id}`, {
          ip: req.ip,
        });
      });
      // expired links of anyone are cleared on the way (one indexed delete)
      await db.deleteFrom('sign_in_links').where('expires_at', '<', now).execute();
      return 'sent';
    } finally {
      const left = floor - (Date.now() - started);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    }
  }

  return {
    requestMagicLink: (req, ctx) => request('magic', req, ctx),
    requestPasswordReset: (req, ctx) =>
      request('reset', { ...req, check: undefined, returnTo: undefined }, ctx),

    async peek(tenantId, purpose, token, check) {
      if (!TOKEN.test(token)) return { valid: false };
      const row = await db
        .selectFrom('sign_in_links')
        .select(['check_digest', 'expires_at', 'user_id'])
        .where('digest', '=', digestSecret(token))
        .where('purpose', '=', purpose)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= Date.now()) return { valid: false };
      const sameBrowser =
        row.check_digest !== null && check !== undefined && safeEqual(row.check_digest, digestSecret(check));
      return { valid: true, sameBrowser, userId: row.user_id };
    },

    async consume(tenant, purpose, token, ctx) {
      const rows = TOKEN.test(token)
        ? await db
            .deleteFrom('sign_in_links')
            .where('digest', '=', digestSecret(token))
            .where('purpose', '=', purpose)
            .where('tenant_id', '=', tenant.id)
            .where('expires_at', '>', Date.now())
            .returning(['user_id', 'return_to'])
            .execute()
        : [];
      const row = rows[0];
      if (!row) {
        emit(tenant.slug, `${EVENT[purpose]}.refused`, ctx, 'failure', null, {
          reason: TOKEN.test(token) ? 'unknown_used_or_expired' : 'malformed',
        });
        return null;
      }
      emit(tenant.slug, `${EVENT[purpose]}.used`, ctx, 'success', `user:${row.user_id}`, {});
      return { userId: row.user_id, returnTo: row.return_to };
    },

    newCheck: () => randomToken(32),
  };
}
