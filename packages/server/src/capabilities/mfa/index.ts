/**
 * MFA: TOTP with backup codes, passkeys, and who must use them (enforcement with a grace period).
 * Services here; the hosted pages and the admin API register their routes from `pages/` and
 * `routes.ts`.
 */

export {
  createPasskeysService,
  type PasskeySignIn,
  type PasskeysService,
  type PasskeyView,
} from './passkeys.ts';
export {
  createMfaService,
  DEFAULT_GRACE_DAYS,
  type MfaService,
  type MfaSignInStep,
  type MfaStatus,
} from './service.ts';
export { createMfaStore, type RequirementSubject } from './store.ts';
