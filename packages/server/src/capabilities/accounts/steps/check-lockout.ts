/**
 * checkLockout — a locked account (or unknown login) is refused even with the right password; a
 * wrong password counts a failure and may lock; a right one clears the count. Known and unknown
 * logins get the same answers.
 */
import type { LockoutService } from '../lockout.ts';
import { messages } from '../pages/messages.en.ts';
import type { SignInAttempt, SignInStep } from './types.ts';

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

function subjectOf(attempt: SignInAttempt) {
  return attempt.user ? { userId: attempt.user.id } : { login: attempt.login.trim() };
}

export function checkLockout(lockout: LockoutService): SignInStep {
  return async (attempt) => {
    const subject = subjectOf(attempt);
    const { lockedMs: locked, clean, account } = await lockout.assess(attempt.tenant.id, subject);
    if (account) attempt.account = account;
    if (locked > 0)
      return { kind: 'refused', reason: 'locked', message: messages.lockedOut(minutes(locked)), status: 423 };
    if (attempt.passwordOk && attempt.user) {
      if (!clean) await lockout.succeed(attempt.tenant.id, attempt.user.id);
      return undefined;
    }
    const ctx = { actor: `ip:${attempt.ip}`, requestId: attempt.requestId, tenantSlug: attempt.tenant.slug };
    // a right password on a disabled account is no failure of the password: not counted
    const lockedNow =
      attempt.failure === 'inactive' ? 0 : await lockout.fail(attempt.tenant.id, subject, ctx);
    if (lockedNow > 0)
      return {
        kind: 'refused',
        reason: `${attempt.failure ?? 'wrong_password'}_locked`,
        message: messages.lockedOut(minutes(lockedNow)),
        status: 423,
      };
    return {
      kind: 'refused',
      reason: attempt.failure ?? 'wrong_password',
      message: messages.invalidCredentials,
      status: 401,
    };
  };
}
