/**
 * Error codes of the roles capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const roleErrors = defineErrorCodes({
  role_in_use: { status: 409, title: 'The role is built in and cannot be changed' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof roleErrors> {}
}
