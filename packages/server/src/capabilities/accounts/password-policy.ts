/**
 * The tenant password policy for passwords people choose on the hosted pages: length (never below the
 * directory's 12), optional character classes, a zxcvbn strength floor over the common-password
 * dictionary of `@zxcvbn-ts/language-common` (so `password1234` and keyboard walks are refused), no
 * username or email inside, and no reuse of the last N passwords. Returns a reason key from the
 * message catalogue, never the password.
 */
import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { MAX_PASSWORD_LENGTH } from '../users/index.ts';
import type { PasswordProblem } from './pages/messages.en.ts';
import type { PasswordPolicySettings } from './schemas.ts';

let zxcvbn: ZxcvbnFactory | undefined;
/**
 * The strength estimator, loaded and built on first use: its dictionaries take ~30 ms to index and
 * several MiB a running server needs only when someone sets a password (issue 6 §9). Both packages
 * are CommonJS, so `require` loads them synchronously here.
 */
function estimator(): ZxcvbnFactory {
  if (!zxcvbn) {
    const require = createRequire(import.meta.url);
    const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    zxcvbn = new core.ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
  }
  return zxcvbn;
}

/** Parts of a user's names that must not appear in the password (3+ characters, lower case). */
function nameParts(names: readonly (string | null | undefined)[]): string[] {
  const parts = new Set<string>();
  for (const n of names) {
    if (!n) continue;
    const lower = n.toLowerCase();
    parts.add(lower);
    const at = lower.indexOf('@');
    if (at > 0) parts.add(lower.slice(0, at));
  }
  return [...parts].filter((p) => p.length >= 3);
}

/** The first rule `password` breaks (history aside), or null. */
export function passwordPolicyProblem(
  password: string,
  policy: PasswordPolicySettings,
  names: readonly (string | null | undefined)[],
): { problem: PasswordProblem; arg?: number } | null {
  if (password.length < policy.minLength) return { problem: 'tooShort', arg: policy.minLength };
  if (password.length > MAX_PASSWORD_LENGTH) return { problem: 'tooLong', arg: MAX_PASSWORD_LENGTH };
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) return { problem: 'needsLowercase' };
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) return { problem: 'needsUppercase' };
  if (policy.requireDigit && !/\p{Nd}/u.test(password)) return { problem: 'needsDigit' };
  if (policy.requireSymbol && !/[^\p{L}\p{Nd}]/u.test(password)) return { problem: 'needsSymbol' };
  const parts = nameParts(names);
  const lower = password.toLowerCase();
  if (policy.refuseUserNames && parts.some((p) => lower.includes(p))) return { problem: 'containsName' };
  // zxcvbn's cost grows with length; its verdict on the first 100 characters is the verdict
  if (policy.minStrength > 0 && estimator().check(password.slice(0, 100), parts).score < policy.minStrength)
    return { problem: 'tooWeak' };
  return null;
}
