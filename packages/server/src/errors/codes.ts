/**
 * The one registry of stable error codes. A code, once published, keeps its meaning and status
 * forever: clients and the SDK switch on it. The codes every part of the platform may raise live
 * here; each capability declares its own in its `errors.ts` with `defineErrorCodes`, which adds them
 * to this registry at load and to the `ErrorCode` type (module augmentation of `ErrorCodeMap`).
 */

export interface ErrorDefinition {
  readonly status: number;
  readonly title: string;
}

export const platformErrorCodes = {
  // generic request problems
  validation_failed: { status: 400, title: 'The request does not match the schema' },
  invalid_characters: { status: 400, title: 'The request contains characters that cannot be stored' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is not valid' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  request_timeout: { status: 408, title: 'The request took too long to arrive' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  invalid_token: { status: 401, title: 'The credential is not valid' },
  forbidden: { status: 403, title: 'The credential lacks the ability for this action' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The resource conflicts with an existing one' },
  precondition_failed: { status: 412, title: 'The resource changed since it was read (ETag mismatch)' },
  precondition_required: { status: 428, title: 'This update requires an If-Match header' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'The service is not ready' },

  // crypto
  invalid_master_key: { status: 500, title: 'A master key is malformed' },
  decryption_failed: { status: 500, title: 'A stored secret could not be decrypted' },
  invalid_secret_format: { status: 401, title: 'The secret is not in the Gatekeeper format' },

  // tenants (raised by the admin guard and every tenant-scoped endpoint)
  tenant_suspended: { status: 403, title: 'The tenant is suspended' },
} as const satisfies Record<string, ErrorDefinition>;

/**
 * Every known code (type level). Capabilities add theirs:
 * `declare module '../../errors/codes.ts' { interface ErrorCodeMap extends Codes<typeof groupErrors> {} }`.
 */
export interface ErrorCodeMap extends Codes<typeof platformErrorCodes> {}

/** The map entry type for a capability's definitions (used in its augmentation). */
export type Codes<T> = { readonly [K in keyof T]: true };

export type ErrorCode = keyof ErrorCodeMap & string;

const registry = new Map<string, ErrorDefinition>(Object.entries(platformErrorCodes));

/**
 * Adds a capability's codes to the registry (once, at module load) and returns them typed. A code
 * defined twice with a different meaning is a programming error.
 *
 * @example
 * export const groupErrors = defineErrorCodes({ group_cycle: { status: 409, title: 'The membership would create a group cycle' } });
 */
export function defineErrorCodes<const T extends Record<string, ErrorDefinition>>(codes: T): T {
  for (const [code, def] of Object.entries(codes)) {
    const known = registry.get(code);
    if (known && (known.status !== def.status || known.title !== def.title))
      throw new Error(`error code ${code} is defined twice`);
    registry.set(code, def);
  }
  return codes;
}

/** The definition of a code; unknown codes (never registered) are a programming error. */
export function errorDefinition(code: string): ErrorDefinition {
  const def = registry.get(code);
  if (!def) throw new Error(`unknown error code ${code}: define it in an errors.ts`);
  return def;
}

/** Every registered code, for documentation. */
export function registeredErrorCodes(): ReadonlyMap<string, ErrorDefinition> {
  return registry;
}
