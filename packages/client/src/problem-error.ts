/**
 * The error a Gatekeeper API call throws when the server answers with an error status. The server
 * sends every such error as an RFC 9457 problem document (`application/problem+json`) carrying a
 * stable `code` from its error registry; this class keeps those fields so callers switch on `code`
 * and never parse messages. An error response that is not a problem document (a proxy's HTML 502
 * page, say) becomes the same class with code `unexpected_response`.
 */

/** One failed field of a `validation_failed` problem (`path` is e.g. `body/email`). */
export interface ProblemFieldError {
  path: string;
  message: string;
}

/**
 * An RFC 9457 problem document as Gatekeeper sends it (the `Problem` schema of `/openapi.json`).
 * Extension members other than the ones named here are kept as they arrive.
 */
export interface ProblemDocument {
  /** `urn:gatekeeper:error:<code>` for Gatekeeper's own problems. */
  type?: string;
  title: string;
  status: number;
  /** Stable error code, e.g. `not_found`, `precondition_failed`, `validation_failed`. */
  code: string;
  /** Human-readable explanation of this occurrence. */
  detail?: string;
  /** Path of the request that failed. */
  instance?: string;
  /** The server's id for the request (also its `x-request-id` header); quote it when reporting. */
  requestId?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

/** The code given to error responses that are not Gatekeeper problem documents. */
export const UNEXPECTED_RESPONSE = 'unexpected_response';

const BRAND = Symbol.for('gatekeeper.client.api-error');

/**
 * An error response from the Gatekeeper API.
 *
 * @example
 * try {
 *   await admin.tenants.update('acme', { displayName: 'Acme' }, { ifMatch: etag });
 * } catch (err) {
 *   if (isGatekeeperApiError(err, 'precondition_failed')) {
 *     // someone else changed the tenant: read it again and retry
 *   } else throw err;
 * }
 */
export class GatekeeperApiError extends Error {
  /** HTTP status of the response. */
  readonly status: number;
  /** Stable error code; `unexpected_response` when the body was not a problem document. */
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** Per-field failures of a `validation_failed` problem. */
  readonly errors: readonly ProblemFieldError[] | undefined;
  /** The whole problem document, extension members included. */
  readonly problem: Readonly<ProblemDocument>;

  constructor(problem: ProblemDocument) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.name = 'GatekeeperApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.errors = problem.errors;
    this.problem = problem;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `err` is a {@link GatekeeperApiError} (also one thrown by another copy of this package),
 * optionally with the given code.
 */
export function isGatekeeperApiError(err: unknown, code?: string): err is GatekeeperApiError {
  const branded =
    err instanceof GatekeeperApiError ||
    (typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true);
  return branded && (code === undefined || (err as GatekeeperApiError).code === code);
}

function isFieldErrors(value: unknown): value is ProblemFieldError[] {
  return (
    Array.isArray(value) &&
    value.every(
      (e) =>
        typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.message === 'string',
    )
  );
}

/**
 * Builds the error for an error response: `body` is its parsed JSON (undefined when it had none or
 * was not JSON). A body with a string `code` is taken as a problem document; anything else gets the
 * code `unexpected_response`. `requestId` (the `x-request-id` header) fills in a missing one.
 */
export function problemErrorOf(
  status: number,
  statusText: string,
  body: unknown,
  requestId: string | undefined,
): GatekeeperApiError {
  const doc = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  if (doc && typeof doc.code === 'string') {
    return new GatekeeperApiError({
      ...doc,
      status,
      code: doc.code,
      title: typeof doc.title === 'string' ? doc.title : statusText || `HTTP ${status}`,
      detail: typeof doc.detail === 'string' ? doc.detail : undefined,
      requestId: typeof doc.requestId === 'string' ? doc.requestId : requestId,
      errors: isFieldErrors(doc.errors) ? doc.errors : undefined,
    });
  }
  return new GatekeeperApiError({
    status,
    code: UNEXPECTED_RESPONSE,
    title: statusText || `HTTP ${status}`,
    detail: `the server answered ${status} without a problem document`,
    requestId,
  });
}
