/**
 * authenticate: the route method's modes (api_key, hmac, jwt, session), tried in order — the first mode whose credential the
 * request carries decides (a valid one names the caller; an invalid one is refused, never passed to
 * a weaker mode). `public` needs nothing. No credential at all is a 401 naming every accepted mode in
 * WWW-Authenticate; an Authorization header no mode understands is `malformed_authorization`.
 */
import { deny } from '../reasons.ts';
import { apiKeyMode } from './auth-api-key.ts';
import { hmacMode } from './auth-hmac.ts';
import { jwtMode } from './auth-jwt.ts';
import { sessionMode } from './auth-session.ts';
import type { ModeCheck } from './mode.ts';
import type { AuthzStep } from './step.ts';

export const MODE_CHECKS: Readonly<Record<string, ModeCheck>> = {
  api_key: apiKeyMode,
  hmac: hmacMode,
  jwt: jwtMode,
  session: sessionMode,
};

export const authenticate: AuthzStep = {
  name: 'authenticate',
  async run(ctx, deps) {
    const modes = ctx.modes!;
    if (modes[0] === 'public') {
      ctx.anonymous = true;
      ctx.note('public: no credential needed');
      return undefined;
    }
    for (const mode of modes) {
      const check = MODE_CHECKS[mode];
      if (check?.presented(ctx)) return check.verify(ctx, deps);
    }
    if (ctx.input.headers.authorization !== undefined)
      return deny('malformed_authorization', `no accepted scheme (${modes.join(', ')}) in Authorization`);
    return deny('credentials_required', `send one of: ${modes.join(', ')}`);
  },
};
