/**
 * Error codes of the groups capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const groupErrors = defineErrorCodes({
  group_cycle: { status: 409, title: 'The membership would create a group cycle' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof groupErrors> {}
}
