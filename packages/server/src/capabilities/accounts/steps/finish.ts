/**
 * finish — a password that must change first (admin action or expiry) sends the browser to the
 * change-password page with a pending sign-in; otherwise the session starts (oldest sessions beyond
 * the tenant limit evicted) and the browser goes to its return_to.
 */
import type { SignInCompleter } from '../complete.ts';
import type { SignInStep } from './types.ts';

export function finish(complete: SignInCompleter): SignInStep {
  return async (attempt) => {
    if (!attempt.user) throw new Error('finish without a verified user');
    return complete({
      tenant: attempt.tenant,
      userId: attempt.user.id,
      amr: attempt.amr,
      returnTo: attempt.returnTo,
      ip: attempt.ip,
      userAgent: attempt.userAgent,
      requestId: attempt.requestId,
      device: attempt.device,
      ...(attempt.account ? { account: attempt.account } : {}),
    });
  };
}
