/**
 * The registry of stable error codes. A code, once published, keeps its meaning and status forever:
 * clients and the SDK switch on it. Capabilities add their codes here so there is one list to read.
 */
export const errorCodes = {
  // generic request problems
  validation_failed: { status: 400, title: 'The request does not match the schema' },
  invalid_characters: { status: 400, title: 'The request contains characters that cannot be stored' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is not valid' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
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

  // settings
  unknown_setting: { status: 400, title: 'No such setting' },
  setting_not_runtime: { status: 400, title: 'This setting cannot be changed at runtime' },
  invalid_setting_value: { status: 400, title: 'The value is not valid for this setting' },

  // tenants and directory
  tenant_suspended: { status: 403, title: 'The tenant is suspended' },
  tenant_protected: { status: 409, title: 'The root tenant cannot be deleted or suspended' },
  group_cycle: { status: 409, title: 'The membership would create a group cycle' },
  org_unit_cycle: { status: 409, title: 'The move would create an organization cycle' },
  role_in_use: { status: 409, title: 'The role is built in and cannot be changed' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;
