/**
 * The `session` mode: a browser's Gatekeeper sign-in cookie (`gk_session_<slug>`, `__Host-` over
 * https), checked by the accounts capability's sessions (cached; a revocation reaches every instance
 * within a second). The session's user must still be active; the user and their effective roles are
 * what the grants are checked against. Without a session, a browser navigation behind Traefik or
 * Envoy is sent to the hosted sign-in (sign-in-redirect.ts); nginx redirects on its own 401.
 */
import { deny } from '../reasons.ts';
import type { ModeCheck } from './mode.ts';

/** Longer than any Cookie header a browser sends for one site (4 KiB per cookie, a few cookies). */
const MAX_COOKIE_HEADER = 16_384;

export const sessionMode: ModeCheck = {
  mode: 'session',
  presented(ctx) {
    const cookie = ctx.input.headers.cookie;
    return typeof cookie === 'string' && cookie.includes('gk_session_');
  },
  async verify(ctx, deps) {
    const cookie = ctx.input.headers.cookie as string;
    if (cookie.length > MAX_COOKIE_HEADER) return deny('session_invalid', 'oversize Cookie header');
    const tenant = ctx.tenant!;
    const session = await deps.session(tenant.id, cookie);
    if (!session) return deny('session_invalid', `no live ${tenant.slug} session in the cookies`);
    const access = await deps.userAccess(tenant.id, session.userId);
    if (!access) return deny('user_inactive', `the session's user ${session.userId} is not active`);
    ctx.caller = {
      via: 'session',
      client: null,
      userId: session.userId,
      roles: access.roles,
      tokenId: null,
      scopes: [],
    };
    if (ctx.trace) ctx.note(`session ${session.id} of user ${session.userId}`);
    return undefined;
  },
  // cookies have no HTTP authentication scheme: a 401 names the other modes only
  challenge: () => '',
};
