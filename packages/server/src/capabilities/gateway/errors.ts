/**
 * Error codes of the gateway's admin API (added to the one registry in errors/codes.ts). The
 * decision endpoint never answers with these: it speaks deny reasons (reasons.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const gatewayErrors = defineErrorCodes({
  route_conflict: {
    status: 409,
    title: 'Another route has the same host and path pattern: every request would tie between them',
  },
  hmac_secret_limit: {
    status: 409,
    title: 'The client already has two live HMAC secrets: revoke one before adding another',
  },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof gatewayErrors> {}
}
