/**
 * Error codes of the tenants capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const tenantErrors = defineErrorCodes({
  tenant_protected: { status: 409, title: 'The root tenant cannot be deleted or suspended' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof tenantErrors> {}
}
