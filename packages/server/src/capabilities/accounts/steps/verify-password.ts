/**
 * verifyPassword — one Argon2id verification whatever the login: an unknown login is verified
 * against a dummy hash (same time, same later answer), so nothing tells whether an account exists.
 * Records the account and the verdict; the refusal itself comes after the lockout check.
 */
import type { UsersService } from '../../users/index.ts';
import type { SignInStep } from './types.ts';

export function verifyPassword(users: UsersService): SignInStep {
  return async (attempt) => {
    const verdict = await users.verifyLogin(attempt.tenant.id, attempt.login, attempt.password);
    attempt.user = verdict.user;
    attempt.passwordOk = verdict.ok;
    if (verdict.ok) attempt.amr.push('pwd');
    else attempt.failure = verdict.reason;
    return undefined;
  };
}
