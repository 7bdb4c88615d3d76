/**
 * One auth mode as the authenticate step uses it: whether the request carries this mode's
 * credential, how to check it (filling `ctx.caller`), and the challenge a 401 names it by.
 */
import type { AuthzContext } from '../decision.ts';
import type { AuthMode } from '../policy/model.ts';
import type { Deny } from '../reasons.ts';
import type { StepDeps } from './step.ts';

export interface ModeCheck {
  readonly mode: Exclude<AuthMode, 'public'>;
  presented(ctx: AuthzContext): boolean;
  verify(ctx: AuthzContext, deps: StepDeps): Promise<Deny | undefined>;
  /** A WWW-Authenticate challenge for `realm`. */
  challenge(realm: string): string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The bearer token of `Authorization: Bearer …`, or undefined. */
export function bearerOf(ctx: AuthzContext): string | undefined {
  const h = ctx.input.headers.authorization;
  if (typeof h !== 'string' || h.length < 8 || h.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  return h.slice(7).trim();
}

/** True for a bearer token shaped like a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return token.length <= 16_384 && JWT_SHAPE.test(token);
}
