/**
 * Error codes of the users capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const userErrors = defineErrorCodes({
  username_confusable: {
    status: 409,
    title: 'The username looks like an existing one (Unicode confusables)',
  },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof userErrors> {}
}
