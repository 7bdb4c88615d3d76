/**
 * The error a Gatekeeper API call throws when no usable answer arrived: the connection failed, the
 * call timed out or was aborted, or a success response could not be read. (An answer with an error
 * status is a `GatekeeperApiError` instead.) Messages name the method and the URL path only — never
 * headers, so never the credential — and the underlying error is kept as `cause`.
 */

/** Why no answer arrived. */
export type RequestFailure = 'network' | 'timeout' | 'aborted' | 'invalid_response';

const BRAND = Symbol.for('gatekeeper.client.request-error');

export class GatekeeperRequestError extends Error {
  readonly reason: RequestFailure;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Absolute URL of the failed call, without its query string. */
  readonly url: string;

  constructor(reason: RequestFailure, method: string, url: string, message: string, cause?: unknown) {
    super(`${method} ${url} ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'GatekeeperRequestError';
    this.reason = reason;
    this.method = method;
    this.url = url;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True when `err` is a {@link GatekeeperRequestError}, optionally failed for the given reason. */
export function isGatekeeperRequestError(
  err: unknown,
  reason?: RequestFailure,
): err is GatekeeperRequestError {
  const branded =
    err instanceof GatekeeperRequestError ||
    (typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true);
  return branded && (reason === undefined || (err as GatekeeperRequestError).reason === reason);
}
