/**
 * The one password rule every entry point applies — the admin API (create, set-password), the setup
 * page, `gatekeeper admin create`, `users create --password-stdin` — with one message. The sign-in
 * capability's per-tenant policy extends `PasswordPolicy`; nothing goes below MIN_PASSWORD_LENGTH.
 */
import { FieldErrors, messages } from '../../text/field-errors.ts';

/** Length bounds of a password (UTF-16 code units, as the request schemas count). */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

/** At least 12 characters (NIST SP 800-63B allows 8; a directory of administrators asks more). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: MAX_PASSWORD_LENGTH,
};

/** What is wrong with a password under `policy`, or null; never echoes the password. */
export function passwordProblem(
  value: string,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < policy.minLength) return messages.tooShort(policy.minLength);
  if (value.length > policy.maxLength) return messages.tooLong(policy.maxLength);
  return null;
}

/** Throws `validation_failed` (`password: …`) unless the password satisfies `policy`. */
export function checkPassword(value: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): string {
  const problem = passwordProblem(value, policy);
  if (problem) {
    const errors = new FieldErrors();
    errors.add('password', problem);
    errors.throwIfAny();
  }
  return value;
}
