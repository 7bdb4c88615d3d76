/**
 * The password sign-in pipeline: the steps in order, run until one ends the attempt.
 */

import type { RateLimiter } from '../../../state/state.ts';
import type { UsersService } from '../../users/index.ts';
import type { SignInCompleter } from '../complete.ts';
import type { LockoutService } from '../lockout.ts';
import type { SignInSettingsService } from '../settings.ts';
import { checkLockout } from './check-lockout.ts';
import { finish } from './finish.ts';
import { loadInteraction } from './load-interaction.ts';
import { rateLimit } from './rate-limit.ts';
import { requireMfa } from './require-mfa.ts';
import type { RequireMfa, SignInAttempt, SignInOutcome, SignInStep } from './types.ts';
import { verifyPassword } from './verify-password.ts';

export type { RequireMfa, SignInAttempt, SignInOutcome, SignInStep } from './types.ts';

export function createPasswordSignIn(deps: {
  settings: SignInSettingsService;
  limiters: { perIp: RateLimiter; perTenant: RateLimiter };
  users: UsersService;
  lockout: LockoutService;
  mfa: () => RequireMfa | undefined;
  complete: SignInCompleter;
}): (attempt: SignInAttempt) => Promise<SignInOutcome> {
  const steps: SignInStep[] = [
    loadInteraction(deps.settings),
    rateLimit(deps.limiters),
    verifyPassword(deps.users),
    checkLockout(deps.lockout),
    requireMfa(deps.mfa),
    finish(deps.complete),
  ];
  return async (attempt) => {
    for (const step of steps) {
      const outcome = await step(attempt);
      if (outcome) return outcome;
    }
    throw new Error('the sign-in pipeline ended without an outcome');
  };
}
