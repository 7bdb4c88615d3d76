/**
 * requireMfa — asks the installed MFA hook whether this account needs a second factor now; without
 * a hook (or when it answers undefined) the attempt goes on to `finish`.
 */
import type { RequireMfa, SignInStep } from './types.ts';

export function requireMfa(hook: () => RequireMfa | undefined): SignInStep {
  return async (attempt) => {
    const mfa = hook();
    return mfa ? mfa(attempt) : undefined;
  };
}
