/**
 * Error codes of the accounts capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const accountErrors = defineErrorCodes({
  csrf_failed: { status: 403, title: 'The form token or origin is not valid' },
  password_rejected: { status: 400, title: 'The password does not satisfy the tenant password policy' },
  logo_invalid: { status: 400, title: 'The logo is not a well-formed image of its type' },
  logo_type_refused: { status: 415, title: 'A logo is a PNG, JPEG or WebP image' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof accountErrors> {}
}
