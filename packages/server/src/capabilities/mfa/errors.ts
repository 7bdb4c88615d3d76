/**
 * Error codes of MFA (TOTP, backup codes, enforcement) and passkeys, added to the one registry in
 * errors/codes.ts. A wrong, replayed or expired code is one code (`mfa_code_invalid`) towards the
 * user: what went wrong is audited, not told.
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const mfaErrors = defineErrorCodes({
  mfa_code_invalid: { status: 400, title: 'The verification code is not valid' },
  mfa_not_enrolled: { status: 409, title: 'The user has no authenticator app enrolled' },
  mfa_already_enrolled: { status: 409, title: 'The user already has an authenticator app: remove it first' },
  mfa_enrolment_missing: { status: 409, title: 'No authenticator enrolment is in progress: start again' },
  mfa_rate_limited: { status: 429, title: 'Too many wrong verification codes: wait a few minutes' },
  passkey_invalid: { status: 400, title: 'The passkey response could not be verified' },
  passkey_exists: { status: 409, title: 'This passkey is already registered' },
  passkey_limit: { status: 409, title: 'The user already has the most passkeys allowed' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof mfaErrors> {}
}
