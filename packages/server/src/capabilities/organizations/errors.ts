/**
 * Error codes of the organizations capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const organizationErrors = defineErrorCodes({
  org_unit_cycle: { status: 409, title: 'The move would create an organization cycle' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof organizationErrors> {}
}
