/**
 * Error codes of the clients capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const clientErrors = defineErrorCodes({
  client_disabled: { status: 403, title: 'The client is disabled' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof clientErrors> {}
}
