/**
 * GENERATED FILE, do not edit: regenerate with `npm run generate:client`.
 * The admin API's request and response types, made by openapi-typescript from the OpenAPI document
 * the server serves at /openapi.json (packages/client/scripts/generate-types.ts). The client's
 * named types (src/admin-types.ts) are aliases into `paths` and `components` below;
 * src/generated-types.fresh.test.ts fails while this file differs from what the server serves.
 */

export interface paths {
  '/healthz': {
    /** Liveness: the process is up (`?full`: and the state of every dependency) */
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ok' | 'degraded';
              checks?: {
                name: string;
                ok: boolean;
                required: boolean;
                detail?: string;
                error?: string;
              }[];
            };
          };
        };
      };
    };
  };
  '/readyz': {
    /** Readiness: this instance can serve (database writable, migrations applied) */
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready';
              checks: {
                name: string;
                ok: boolean;
                required: boolean;
                detail?: string;
                error?: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'unavailable';
              checks: {
                name: string;
                ok: boolean;
                required: boolean;
                detail?: string;
                error?: string;
              }[];
            };
          };
        };
      };
    };
  };
  '/api/v1/tenants': {
    /** List tenants */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: slug, -slug, createdAt, -createdAt */
          sort?: 'slug' | '-slug' | 'createdAt' | '-createdAt';
          status?: 'active' | 'suspended';
          /** @description Slug prefix */
          q?: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Tenant'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create a tenant */
    post: {
      requestBody: {
        content: {
          'application/json': {
            /** @description URL-safe tenant identifier */
            slug: string;
            displayName: string;
            domains?: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              slug: string;
              displayName: string;
              /** @enum {string} */
              status: 'active' | 'suspended';
              domains: string[];
              /** @description OIDC issuer of this tenant */
              issuer: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}': {
    /** Get a tenant */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              slug: string;
              displayName: string;
              /** @enum {string} */
              status: 'active' | 'suspended';
              domains: string[];
              /** @description OIDC issuer of this tenant */
              issuer: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Delete a tenant and everything it owns (all-tenant credential only) */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Update a tenant (status changes need an all-tenant credential) */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            displayName?: string;
            /** @enum {string} */
            status?: 'active' | 'suspended';
            domains?: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              slug: string;
              displayName: string;
              /** @enum {string} */
              status: 'active' | 'suspended';
              domains: string[];
              /** @description OIDC issuer of this tenant */
              issuer: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tokens': {
    /** List all-tenant admin API tokens */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: createdAt, -createdAt */
          sort?: 'createdAt' | '-createdAt';
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Credential'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create an all-tenant admin API token */
    post: {
      requestBody: {
        content: {
          'application/json': {
            name: string;
            abilities: string[];
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              /** @description Shown once */
              secret: string;
              credential: components['schemas']['Credential'];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tokens/{tokenId}': {
    /** Get an admin API token */
    get: {
      parameters: {
        path: {
          tokenId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              kind: string;
              tenant: string | null;
              name: string;
              /** @description Safe-to-show beginning of the secret */
              prefix: string;
              abilities: string[];
              ownerType: string;
              ownerId: string | null;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              createdBy: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Revoke an admin API token (effective on every instance within a second) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          tokenId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/tokens': {
    /** List a tenant's admin API tokens */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: createdAt, -createdAt */
          sort?: 'createdAt' | '-createdAt';
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Credential'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create an admin API token for a tenant */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            name: string;
            abilities: string[];
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              /** @description Shown once */
              secret: string;
              credential: components['schemas']['Credential'];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/tokens/{tokenId}': {
    /** Get an admin API token */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          tokenId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              kind: string;
              tenant: string | null;
              name: string;
              /** @description Safe-to-show beginning of the secret */
              prefix: string;
              abilities: string[];
              ownerType: string;
              ownerId: string | null;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              createdBy: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Revoke an admin API token (effective on every instance within a second) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          tokenId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/settings': {
    /** List every setting with its effective value and source (secrets masked) */
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                key: string;
                value: string;
                /** @enum {string} */
                source: 'default' | 'file' | 'env' | 'flag' | 'database';
                runtime: boolean;
                secret: boolean;
              }[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Change runtime settings on every instance without a restart (all or nothing) */
    patch: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
      };
      /** @description Runtime settings: logLevel, importBodyLimitBytes, argon2MemoryKib, argon2Iterations, argon2Parallelism, auditRetentionDays, metricsAccess, apiDocsAccess, adminDenialAuditWindowSeconds, usernameConfusablesRefused, gatewayTrustedForwarders, gatewayClockSkewSeconds, gatewayAuditAllowEvery, gatewayIdentityHeaders, smtpUrl, mailFrom, mailMaxAttempts, mailRetryBaseMs, magicLinkTtlSeconds, passwordResetTtlSeconds, oidcSigningAlgorithm, oidcKeyRotationDays, oidcKeyPublishLeadSeconds, oidcAccessTokenTtlSeconds, oidcIdTokenTtlSeconds, oidcRefreshTokenTtlSeconds, oidcRefreshReuseGraceSeconds, oidcBackchannelLogoutAttempts, oidcBackchannelLogoutRetryBaseMs */
      requestBody: {
        content: {
          'application/json': {
            logLevel?: string | number | boolean;
            importBodyLimitBytes?: string | number | boolean;
            argon2MemoryKib?: string | number | boolean;
            argon2Iterations?: string | number | boolean;
            argon2Parallelism?: string | number | boolean;
            auditRetentionDays?: string | number | boolean;
            metricsAccess?: string | number | boolean;
            apiDocsAccess?: string | number | boolean;
            adminDenialAuditWindowSeconds?: string | number | boolean;
            usernameConfusablesRefused?: string | number | boolean;
            gatewayTrustedForwarders?: string | number | boolean;
            gatewayClockSkewSeconds?: string | number | boolean;
            gatewayAuditAllowEvery?: string | number | boolean;
            gatewayIdentityHeaders?: string | number | boolean;
            smtpUrl?: string | number | boolean;
            mailFrom?: string | number | boolean;
            mailMaxAttempts?: string | number | boolean;
            mailRetryBaseMs?: string | number | boolean;
            magicLinkTtlSeconds?: string | number | boolean;
            passwordResetTtlSeconds?: string | number | boolean;
            oidcSigningAlgorithm?: string | number | boolean;
            oidcKeyRotationDays?: string | number | boolean;
            oidcKeyPublishLeadSeconds?: string | number | boolean;
            oidcAccessTokenTtlSeconds?: string | number | boolean;
            oidcIdTokenTtlSeconds?: string | number | boolean;
            oidcRefreshTokenTtlSeconds?: string | number | boolean;
            oidcRefreshReuseGraceSeconds?: string | number | boolean;
            oidcBackchannelLogoutAttempts?: string | number | boolean;
            oidcBackchannelLogoutRetryBaseMs?: string | number | boolean;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                key: string;
                value: string;
                /** @enum {string} */
                source: 'default' | 'file' | 'env' | 'flag' | 'database';
                runtime: boolean;
                secret: boolean;
              }[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/audit': {
    /** Read the audit log of every tenant, newest first */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description Sequence number to continue below */
          cursor?: string;
          /** @description Action prefix, e.g. user. */
          action?: string;
          from?: string;
          to?: string;
          /** @description URL-safe tenant identifier */
          tenant?: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['AuditEntry'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/audit': {
    /** Read a tenant's audit log, newest first */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description Sequence number to continue below */
          cursor?: string;
          /** @description Action prefix, e.g. user. */
          action?: string;
          from?: string;
          to?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['AuditEntry'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/roles': {
    /** List roles (built-in and custom) */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: name, -name, createdAt, -createdAt */
          sort?: 'name' | '-name' | 'createdAt' | '-createdAt';
          /** @description Name prefix (case-insensitive) */
          q?: string;
          /** @description Only built-in (true) or custom (false) roles */
          builtin?: boolean;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Role'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create a custom role */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Unique per tenant, ignoring case */
            name: string;
            /** @description Free text, or null */
            description?: string | null;
            /** @description Permission strings; stored deduplicated and sorted */
            permissions?: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              name: string;
              description: string | null;
              permissions: string[];
              /** @description Built-in roles cannot be changed or deleted */
              builtin: boolean;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/roles/{roleId}': {
    /** Get a role */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              name: string;
              description: string | null;
              permissions: string[];
              /** @description Built-in roles cannot be changed or deleted */
              builtin: boolean;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Delete a custom role (and every assignment of it) */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Update a custom role (send If-Match with the ETag you read) */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Unique per tenant, ignoring case */
            name?: string;
            /** @description Free text, or null */
            description?: string | null;
            /** @description Permission strings; stored deduplicated and sorted */
            permissions?: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              name: string;
              description: string | null;
              permissions: string[];
              /** @description Built-in roles cannot be changed or deleted */
              builtin: boolean;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/roles': {
    /** List a user's direct roles */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Role'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/roles/{roleId}': {
    /** Give a user a role (idempotent) */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          userId: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Take a role from a user (404 when the user does not hold it) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          userId: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups/{groupId}/roles': {
    /** List a group's roles (held by all its members, nested ones included) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Role'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups/{groupId}/roles/{roleId}': {
    /** Map a role to a group (idempotent) */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Remove a role from a group (404 when the group does not hold it) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
          /** @description Resource id (UUID) */
          roleId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/access': {
    /** A user's effective roles and permissions (direct and through groups, nested ones included) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Names of the direct and group-inherited roles */
              roles: string[];
              /** @description Union of those roles’ permissions */
              permissions: string[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups': {
    /** List groups */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: name, -name, createdAt, -createdAt */
          sort?: 'name' | '-name' | 'createdAt' | '-createdAt';
          /** @description Name prefix (case-insensitive) */
          q?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Group'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create a group */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Unique per tenant, ignoring case */
            name: string;
            /** @description Free text, or null */
            description?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              name: string;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups/{groupId}': {
    /** Get a group */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              name: string;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Delete a group, its memberships and its role mappings */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Update a group (send If-Match with the ETag you read) */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Unique per tenant, ignoring case */
            name?: string;
            /** @description Free text, or null */
            description?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              name: string;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups/{groupId}/members': {
    /** List the direct members of a group: users and nested groups */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: addedAt, -addedAt, name, -name */
          sort?: 'addedAt' | '-addedAt' | 'name' | '-name';
          type?: 'user' | 'group';
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['GroupMember'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups/{groupId}/members/users/{userId}': {
    /** Add a user to a group (idempotent) */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
          /** @description Resource id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Remove a user from a group (404 when not a direct member) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
          /** @description Resource id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/groups/{groupId}/members/groups/{childId}': {
    /** Nest a group in this group (idempotent; 409 group_cycle when it would contain itself) */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
          /** @description Resource id (UUID) */
          childId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Un-nest a group from this group (404 when not nested here) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          groupId: string;
          /** @description Resource id (UUID) */
          childId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/groups': {
    /** A user's groups; transitive=true adds the groups they are nested in */
    get: {
      parameters: {
        query?: {
          /** @description Include groups reached through nested groups */
          transitive?: boolean;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Resource id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['UserGroup'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/organizations': {
    /**
     * List organizations and org units
     * @description Filter with `parentId` (`root` for top-level organizations, or an id for its direct children) and `kind`.
     */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: name, -name, createdAt, -createdAt */
          sort?: 'name' | '-name' | 'createdAt' | '-createdAt';
          /** @description `root` for top-level organizations, or an id for the direct children of that node */
          parentId?: string;
          kind?: 'organization' | 'unit';
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                /** Format: uuid */
                id: string;
                /** @description null for a top-level organization */
                parentId: string | null;
                /** @enum {string} */
                kind: 'organization' | 'unit';
                name: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                updatedAt: string;
                /** @description Current version; the ETag is this number in quotes */
                version: number;
              }[];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Create an organization, or an org unit under a parent
     * @description Without `parentId` the new node is a top-level organization; with it, a unit under that organization or unit. Names are unique among siblings case-insensitively (409). Hierarchies nest at most 32 levels (400).
     */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Name, unique among its siblings case-insensitively (1–200 characters) */
            name: string;
            /** @description Parent organization or unit; present: the new node is a unit under it, absent: a top-level organization */
            parentId?: string;
          };
        };
      };
      responses: {
        /** @description An organization (top level) or org unit */
        201: {
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** @description null for a top-level organization */
              parentId: string | null;
              /** @enum {string} */
              kind: 'organization' | 'unit';
              name: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Current version; the ETag is this number in quotes */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/organizations/{orgId}': {
    /** Get an organization or org unit */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
        };
      };
      responses: {
        /** @description An organization (top level) or org unit */
        200: {
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** @description null for a top-level organization */
              parentId: string | null;
              /** @enum {string} */
              kind: 'organization' | 'unit';
              name: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Current version; the ETag is this number in quotes */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Delete an organization or org unit
     * @description Deletes the node together with every org unit below it and all memberships in any of them (cascade). Honours `If-Match` (412 when stale).
     */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Rename an organization or org unit
     * @description Send `If-Match` with the ETag from a read to refuse the change if it is stale (412).
     */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Name, unique among its siblings case-insensitively (1–200 characters) */
            name: string;
          };
        };
      };
      responses: {
        /** @description An organization (top level) or org unit */
        200: {
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** @description null for a top-level organization */
              parentId: string | null;
              /** @enum {string} */
              kind: 'organization' | 'unit';
              name: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Current version; the ETag is this number in quotes */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/organizations/{orgId}/tree': {
    /** Get an organization or unit with all its descendants, nested */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
        };
      };
      responses: {
        /** @description An organization or unit with its descendants (at most 32 levels) */
        200: {
          content: {
            'application/json': components['schemas']['OrganizationTreeNode'];
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/organizations/{orgId}/move': {
    /**
     * Move an org unit under another organization or unit
     * @description Only units move (a top-level organization: 400). Moving a unit under itself or one of its descendants is 409 `org_unit_cycle`; a parent of another tenant is 404. Honours `If-Match` (412 when stale).
     */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description The new parent (an organization or unit of the same tenant) */
            parentId: string;
          };
        };
      };
      responses: {
        /** @description An organization (top level) or org unit */
        200: {
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** @description null for a top-level organization */
              parentId: string | null;
              /** @enum {string} */
              kind: 'organization' | 'unit';
              name: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description Current version; the ETag is this number in quotes */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/organizations/{orgId}/members': {
    /** List the members of an organization or unit, with their roles */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: userId, -userId */
          sort?: 'userId' | '-userId';
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                /** Format: uuid */
                userId: string;
                /** @description Role names */
                roles: string[];
              }[];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/organizations/{orgId}/members/{userId}': {
    /**
     * Add a member, or replace a member's roles
     * @description Sets the complete role set of the user in this organization or unit (roles by name, case-insensitive). 201 when the user was not a member, 200 otherwise. An unknown role name is 400; a user or organization of another tenant is 404.
     */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
          /** @description User id */
          userId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description The member's complete role set, by role name (1–20); replaces any previous set */
            roles: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** Format: uuid */
              userId: string;
              /** @description Role names */
              roles: string[];
            };
          };
        };
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              /** Format: uuid */
              userId: string;
              /** @description Role names */
              roles: string[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Remove a member (with all its roles) from an organization or unit */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Organization or unit id */
          orgId: string;
          /** @description User id */
          userId: string;
        };
      };
      responses: {
        /** @description Removed */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/organizations': {
    /** List the organizations and units a user belongs to, with the roles held in each */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                /** Format: uuid */
                orgId: string;
                orgName: string;
                /** @enum {string} */
                kind: 'organization' | 'unit';
                /** @description Role names held in this organization or unit */
                roles: string[];
              }[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users': {
    /**
     * List users
     * @description Cursor-paginated. Sort by username (default), email or createdAt; filter by status, email verification and a case-insensitive prefix of username or email.
     */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: username, -username, email, -email, createdAt, -createdAt */
          sort?: 'username' | '-username' | 'email' | '-email' | 'createdAt' | '-createdAt';
          status?: 'active' | 'disabled' | 'locked';
          /** @description Case-insensitive prefix of username or email */
          q?: string;
          emailVerified?: boolean;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['User'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Create a user
     * @description Username and email must be unique in the tenant, ignoring case (409 otherwise).
     */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Login name (compared ignoring case and width; look-alikes of an existing one are refused) */
            username: string;
            email?: string | null;
            emailVerified?: boolean;
            name?: string | null;
            givenName?: string | null;
            familyName?: string | null;
            locale?: string | null;
            picture?: string | null;
            /** @enum {string} */
            status?: 'active' | 'disabled' | 'locked';
            /** @description At least 12 characters; never returned */
            password?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}': {
    /** Get a user */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Delete a user
     * @description Also removes its identities, properties and memberships. Honours If-Match.
     */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Update a user
     * @description Send If-Match with the ETag from a previous read to refuse lost updates (412).
     */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Login name (compared ignoring case and width; look-alikes of an existing one are refused) */
            username?: string;
            email?: string | null;
            emailVerified?: boolean;
            name?: string | null;
            givenName?: string | null;
            familyName?: string | null;
            locale?: string | null;
            picture?: string | null;
            /** @enum {string} */
            status?: 'active' | 'disabled' | 'locked';
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/by-username/{username}': {
    /**
     * Get a user by username
     * @description Exact match, ignoring case as the uniqueness rule does (`Alice` finds `alice`); 404 when no user has it. URL-encode the username.
     */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          username: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/by-email/{email}': {
    /**
     * Get a user by email
     * @description Exact match, ignoring case as the uniqueness rule does; 404 when no user has it. URL-encode the address.
     */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          email: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/disable': {
    /** Disable a user (blocks sign-in) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/enable': {
    /** Enable (or unlock) a user */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              username: string;
              email: string | null;
              emailVerified: boolean;
              name: string | null;
              givenName: string | null;
              familyName: string | null;
              locale: string | null;
              picture: string | null;
              /** @enum {string} */
              status: 'active' | 'disabled' | 'locked';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              lastSignInAt: string | null;
              /** @description Also sent as the ETag */
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/password': {
    /**
     * Set a user's password
     * @description Stored as an Argon2id hash; never returned and never written to the audit log.
     */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description At least 12 characters; never returned */
            password: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/identities': {
    /** List a user's external identities */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['UserIdentity'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Link an external identity (SCIM, LDAP, federated account)
     * @description A provider account links to one user per tenant (409 otherwise).
     */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description e.g. scim, ldap, google */
            provider: string;
            /** @description Account id at the provider */
            subject: string;
            data?: {
              [key: string]: string | number | boolean | null;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              provider: string;
              subject: string;
              data: {
                [key: string]: unknown;
              };
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/identities/{provider}/{subject}': {
    /** Unlink an external identity */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
          /** @description e.g. scim, ldap, google */
          provider: string;
          /** @description Account id at the provider */
          subject: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/properties': {
    /** List a user's per-application properties */
    get: {
      parameters: {
        query?: {
          /** @description Application name */
          app?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['UserProperty'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/properties/{app}/{key}': {
    /** Set a per-application property */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
          /** @description Application name */
          app: string;
          /** @description Property key */
          key: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            value: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              app: string;
              key: string;
              value: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Delete a per-application property */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
          /** @description Application name */
          app: string;
          /** @description Property key */
          key: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/import': {
    /**
     * Import users in bulk (CSV or NDJSON)
     * @description Streams the upload into the same import as `gatekeeper users import`: each bad line is reported by its number and the rest still import; each created user is audited, and the import once more as `users.imported`. The upload may be as large as the `importBodyLimitBytes` setting (413 beyond it).
     */
    post: {
      parameters: {
        query?: {
          /** @description Check every row (and existing users); write nothing. */
          dryRun?: boolean;
          /** @description Create the groups rows name that do not exist yet (else the row fails). */
          createGroups?: boolean;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'text/csv': string;
          'application/x-ndjson': string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              dryRun: boolean;
              /** @enum {string} */
              format: 'csv' | 'ndjson';
              /** @description Rows imported (with dryRun: that would be imported). */
              imported: number;
              /** @description Data rows read, blank lines not counted: imported + failedCount. */
              total: number;
              failedCount: number;
              /** @description Every bad line by its own number (the first 10000). */
              failed: {
                line: number;
                reason: string;
              }[];
              /** @description Groups created (with dryRun: that would be). */
              groupsCreated: string[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/clients': {
    /** List clients (or find one by its exact client_id) */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: name, -name, createdAt, -createdAt */
          sort?: 'name' | '-name' | 'createdAt' | '-createdAt';
          /** @description Exact client_id */
          clientId?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['Client'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Register a client (a confidential client gets its first secret, shown once) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Display name, unique per tenant ignoring case */
            name: string;
            firstParty?: boolean;
            redirectUris?: string[];
            postLogoutRedirectUris?: string[];
            grantTypes?: (
              | 'authorization_code'
              | 'refresh_token'
              | 'client_credentials'
              | 'urn:ietf:params:oauth:grant-type:device_code'
              | 'urn:ietf:params:oauth:grant-type:token-exchange'
              | 'urn:ietf:params:oauth:grant-type:jwt-bearer'
            )[];
            scopes?: string[];
            /**
             * @description How the client authenticates at the token endpoint
             * @enum {string}
             */
            authMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
            /** @description Public keys for private_key_jwt (a JWK Set of public keys), or null */
            jwks?: {
              keys: {
                /** @enum {string} */
                kty: 'RSA' | 'EC' | 'OKP';
                kid?: string;
                /** @enum {string} */
                use?: 'sig';
                alg?: string;
                n?: string;
                e?: string;
                crv?: string;
                x?: string;
                y?: string;
              }[];
            } | null;
            jwksUri?: string | null;
            backchannelLogoutUri?: string | null;
            /** @description ID token / userinfo claims: include groups, roles, organizations without their scope; rename released claims ({"groups": "memberOf"}); null for none */
            claimMapping?: {
              include?: ('groups' | 'roles' | 'organizations')[];
              rename?: {
                [key: string]: string;
              };
            } | null;
            /** @description Seconds; null for the tenant default */
            accessTokenTtl?: number | null;
            /** @description Seconds; null for the tenant default */
            refreshTokenTtl?: number | null;
            /** @description Seconds; null for the tenant default */
            idTokenTtl?: number | null;
            /** @description Default: generated */
            clientId?: string;
            /**
             * @description confidential: holds secrets (a backend); public: cannot keep a secret (SPA, native, CLI)
             * @enum {string}
             */
            kind?: 'confidential' | 'public';
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              client: components['schemas']['Client'];
              /** @description The first secret of a confidential client, shown once */
              clientSecret: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/clients/{id}': {
    /** Get a client */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Client id (the resource id, a UUID) */
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              /** @description The OAuth client_id */
              clientId: string;
              name: string;
              /**
               * @description confidential: holds secrets (a backend); public: cannot keep a secret (SPA, native, CLI)
               * @enum {string}
               */
              kind: 'confidential' | 'public';
              /** @description First-party clients skip the consent page */
              firstParty: boolean;
              /** @enum {string} */
              status: 'active' | 'disabled';
              redirectUris: string[];
              postLogoutRedirectUris: string[];
              grantTypes: string[];
              scopes: string[];
              authMethod: string;
              jwks: {
                keys: unknown[];
              } | null;
              jwksUri: string | null;
              /** @description Where the client receives OpenID back-channel logout tokens */
              backchannelLogoutUri: string | null;
              claimMapping: {
                include: string[];
                rename: {
                  [key: string]: string;
                };
              } | null;
              accessTokenTtl: number | null;
              refreshTokenTtl: number | null;
              idTokenTtl: number | null;
              /** @description Registered through dynamic client registration (RFC 7591); swept when left unused */
              dynamic: boolean;
              /** @description When a dynamically registered client last obtained a token */
              lastUsedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Delete a client and revoke its secrets */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Client id (the resource id, a UUID) */
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Update a client (send If-Match with the ETag you read); status disables or enables it */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Client id (the resource id, a UUID) */
          id: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Display name, unique per tenant ignoring case */
            name?: string;
            firstParty?: boolean;
            redirectUris?: string[];
            postLogoutRedirectUris?: string[];
            grantTypes?: (
              | 'authorization_code'
              | 'refresh_token'
              | 'client_credentials'
              | 'urn:ietf:params:oauth:grant-type:device_code'
              | 'urn:ietf:params:oauth:grant-type:token-exchange'
              | 'urn:ietf:params:oauth:grant-type:jwt-bearer'
            )[];
            scopes?: string[];
            /**
             * @description How the client authenticates at the token endpoint
             * @enum {string}
             */
            authMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
            /** @description Public keys for private_key_jwt (a JWK Set of public keys), or null */
            jwks?: {
              keys: {
                /** @enum {string} */
                kty: 'RSA' | 'EC' | 'OKP';
                kid?: string;
                /** @enum {string} */
                use?: 'sig';
                alg?: string;
                n?: string;
                e?: string;
                crv?: string;
                x?: string;
                y?: string;
              }[];
            } | null;
            jwksUri?: string | null;
            backchannelLogoutUri?: string | null;
            /** @description ID token / userinfo claims: include groups, roles, organizations without their scope; rename released claims ({"groups": "memberOf"}); null for none */
            claimMapping?: {
              include?: ('groups' | 'roles' | 'organizations')[];
              rename?: {
                [key: string]: string;
              };
            } | null;
            /** @description Seconds; null for the tenant default */
            accessTokenTtl?: number | null;
            /** @description Seconds; null for the tenant default */
            refreshTokenTtl?: number | null;
            /** @description Seconds; null for the tenant default */
            idTokenTtl?: number | null;
            /** @enum {string} */
            status?: 'active' | 'disabled';
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              /** @description The OAuth client_id */
              clientId: string;
              name: string;
              /**
               * @description confidential: holds secrets (a backend); public: cannot keep a secret (SPA, native, CLI)
               * @enum {string}
               */
              kind: 'confidential' | 'public';
              /** @description First-party clients skip the consent page */
              firstParty: boolean;
              /** @enum {string} */
              status: 'active' | 'disabled';
              redirectUris: string[];
              postLogoutRedirectUris: string[];
              grantTypes: string[];
              scopes: string[];
              authMethod: string;
              jwks: {
                keys: unknown[];
              } | null;
              jwksUri: string | null;
              /** @description Where the client receives OpenID back-channel logout tokens */
              backchannelLogoutUri: string | null;
              claimMapping: {
                include: string[];
                rename: {
                  [key: string]: string;
                };
              } | null;
              accessTokenTtl: number | null;
              refreshTokenTtl: number | null;
              idTokenTtl: number | null;
              /** @description Registered through dynamic client registration (RFC 7591); swept when left unused */
              dynamic: boolean;
              /** @description When a dynamically registered client last obtained a token */
              lastUsedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/clients/{id}/secrets': {
    /** List a client's secrets (prefixes and expiry, never the secret) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Client id (the resource id, a UUID) */
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items?: components['schemas']['ClientSecret'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Add a secret (for rotation: the old ones stay valid until revoked or expired) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Client id (the resource id, a UUID) */
          id: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Default: never expires */
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              /** @description Shown once */
              secret: string;
              credential: components['schemas']['ClientSecret'];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/clients/{id}/secrets/{secretId}': {
    /** Revoke a secret (every instance refuses it within a second) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Client id (the resource id, a UUID) */
          id: string;
          secretId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/signing-keys': {
    /** List the tenant's published signing keys (pending, signing, retired) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['SigningKey'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/signing-keys/rotate': {
    /** Rotate: publish a new key now, sign with it after the lead time */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            alg?: 'RS256' | 'ES256' | 'EdDSA';
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              kid: string;
              alg: string;
              /** @enum {string} */
              state: 'pending' | 'signing' | 'retired';
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              activatesAt: string;
              expiresAt: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/resource-servers': {
    /** List resource servers (APIs tokens are issued for) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['ResourceServer'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Register a resource server: audience, scopes, token format */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description The audience: an absolute URI without a fragment */
            identifier: string;
            name?: string;
            scopes?: string[];
            /** @enum {string} */
            tokenFormat?: 'jwt' | 'opaque';
            accessTokenTtl?: number | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              /** @description The audience (an absolute URI, RFC 8707) */
              identifier: string;
              name: string;
              scopes: string[];
              /** @enum {string} */
              tokenFormat: 'jwt' | 'opaque';
              accessTokenTtl: number | null;
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/resource-servers/{id}': {
    /** Delete a resource server and its trust links */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Id or identifier */
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/trust-links': {
    /** List trust links (which client may get tokens for which resource server) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['TrustLink'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Trust a client to call a resource server, with scopes and optional delegation */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Client id, client_id or name */
            client: string;
            /** @description Resource server id or identifier */
            resourceServer: string;
            scopes?: string[];
            delegation?: boolean;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              /** @description The calling client's id */
              client: string;
              resourceServer: string;
              audience: string;
              scopes: string[];
              /** @description May act on behalf of a user (token exchange, jwt-bearer) */
              delegation: boolean;
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/trust-links/{id}': {
    /** Delete a trust link: its outstanding tokens stop working on every instance */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/client-registration': {
    /** The dynamic client registration (RFC 7591) policy of the tenant */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Dynamic client registration (RFC 7591) at <issuer>/reg */
              enabled: boolean;
              /** @description scheme://host[:port|:*][/path[*]]; https, or http on loopback */
              redirectUriPatterns: string[];
              /** @description Scopes of a client that asks for none */
              defaultScopes: string[];
              /** @description Registered clients unused this long are deleted; 0: never */
              unusedClientDays: number;
              /** @description Whether clients known by their Client ID Metadata Document (an https client_id) are accepted */
              metadataDocuments: boolean;
              /** @description https://host[:port][/path[*]] patterns their client_id must match; empty: any https URL */
              metadataDocumentPatterns: string[];
              /** @description Metadata-document client_ids refused (with every token they hold) */
              blockedMetadataClients: string[];
              updatedAt: string | null;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Turn dynamic client registration on or off, set its redirect URI patterns, default scopes and expiry, and which Client ID Metadata Document clients are accepted or blocked */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            enabled?: boolean;
            redirectUriPatterns?: string[];
            defaultScopes?: string[];
            unusedClientDays?: number;
            confidentialClients?: boolean;
            metadataDocuments?: boolean;
            metadataDocumentPatterns?: string[];
            blockedMetadataClients?: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Dynamic client registration (RFC 7591) at <issuer>/reg */
              enabled: boolean;
              /** @description scheme://host[:port|:*][/path[*]]; https, or http on loopback */
              redirectUriPatterns: string[];
              /** @description Scopes of a client that asks for none */
              defaultScopes: string[];
              /** @description Registered clients unused this long are deleted; 0: never */
              unusedClientDays: number;
              /** @description Whether clients known by their Client ID Metadata Document (an https client_id) are accepted */
              metadataDocuments: boolean;
              /** @description https://host[:port][/path[*]] patterns their client_id must match; empty: any https URL */
              metadataDocumentPatterns: string[];
              /** @description Metadata-document client_ids refused (with every token they hold) */
              blockedMetadataClients: string[];
              updatedAt: string | null;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/client-registration/tokens': {
    /** The tenant's unexpired initial access tokens (ids and expiry, never the tokens) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['RegistrationTokenInfo'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Mint an initial access token for POST <issuer>/reg (shown once, stored as a digest) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description Default: one day */
            ttlSeconds?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              /** @description The token's id (its SHA-256 digest): list and revoke it by this */
              id: string;
              /** @description The initial access token (Authorization: Bearer at /reg), shown once */
              token: string;
              /** Format: date-time */
              expiresAt: string;
              registrationEndpoint: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/client-registration/tokens/{id}': {
    /** Revoke an initial access token: /reg refuses it (invalid_token) from then on */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/sessions': {
    /** List the tenant's live sessions (newest first), or one user's (oldest first) */
    get: {
      parameters: {
        query?: {
          /** @description User id (UUID) */
          userId?: string;
          /** @description Most sessions returned (default 200) */
          limit?: number;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                id: string;
                userId: string;
                amr: string[];
                acr: string;
                ip: string;
                userAgent: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastSeenAt: string;
                /** Format: date-time */
                expiresAt: string;
              }[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/sessions/{sessionId}': {
    /** Get a session */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Session id */
          sessionId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              userId: string;
              amr: string[];
              acr: string;
              ip: string;
              userAgent: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              lastSeenAt: string;
              /** Format: date-time */
              expiresAt: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Revoke a session (refused on every instance within a second) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description Session id */
          sessionId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/sessions/revoke-all': {
    /** Revoke every session of the tenant */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Sessions ended */
              revoked: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/sessions/revoke': {
    /** Revoke every session of a user */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Sessions ended */
              revoked: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/sign-in-state': {
    /** A user's failed sign-ins, lockout and forced password change */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              userId: string;
              failedAttempts: number;
              locked: boolean;
              lockedUntil: string | null;
              mustChangePassword: boolean;
              passwordChangedAt: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/unlock': {
    /** Unlock a locked account (forgets the failed sign-ins) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              userId: string;
              failedAttempts: number;
              locked: boolean;
              lockedUntil: string | null;
              mustChangePassword: boolean;
              passwordChangedAt: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/require-password-change': {
    /** Require (or stop requiring) a new password at the next sign-in */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description true: the user must choose a new password at the next sign-in */
            required: boolean;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              userId: string;
              failedAttempts: number;
              locked: boolean;
              lockedUntil: string | null;
              mustChangePassword: boolean;
              passwordChangedAt: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/sign-in-settings': {
    /** The tenant's password policy, session lifetimes, lockout and branding */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Which passwords users of the tenant may choose */
              password: {
                /** @description Shortest password accepted (never below 12) */
                minLength: number;
                requireLowercase: boolean;
                requireUppercase: boolean;
                requireDigit: boolean;
                requireSymbol: boolean;
                /** @description Lowest zxcvbn score (0–4) accepted; common and dictionary passwords score low (0 disables the check) */
                minStrength: number;
                /** @description Refuse a password containing the username or email */
                refuseUserNames: boolean;
                /** @description Earlier passwords that may not be reused */
                historyCount: number;
                /** @description Days until a password must change (0: never) */
                expiryDays: number;
              };
              sessions: {
                /** @description Signed out after this long without use */
                idleTimeoutMinutes: number;
                /** @description Signed out this long after signing in, whatever the use */
                absoluteLifetimeMinutes: number;
                /** @description Concurrent sessions per user; the oldest goes first */
                maxPerUser: number;
              };
              lockout: {
                /** @description Failed sign-ins in a row that lock the account */
                maxFailures: number;
                /** @description How long a locked account stays locked */
                durationSeconds: number;
              };
              branding: {
                /** @description Name shown on the pages (null: the tenant display name) */
                displayName: string | null;
                /** @description https URL of a logo image */
                logoUrl: string | null;
                accentColor: string;
              };
              alerts: {
                /** @description Mail the user when they sign in from a browser not seen before (no device mark, no live session of the same browser family from the same network) */
                newSignIn: boolean;
              };
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Change some sign-in settings (the rest keep their values) */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            password?: {
              /** @description Shortest password accepted (never below 12) */
              minLength?: number;
              requireLowercase?: boolean;
              requireUppercase?: boolean;
              requireDigit?: boolean;
              requireSymbol?: boolean;
              /** @description Lowest zxcvbn score (0–4) accepted; common and dictionary passwords score low (0 disables the check) */
              minStrength?: number;
              /** @description Refuse a password containing the username or email */
              refuseUserNames?: boolean;
              /** @description Earlier passwords that may not be reused */
              historyCount?: number;
              /** @description Days until a password must change (0: never) */
              expiryDays?: number;
            };
            sessions?: {
              /** @description Signed out after this long without use */
              idleTimeoutMinutes?: number;
              /** @description Signed out this long after signing in, whatever the use */
              absoluteLifetimeMinutes?: number;
              /** @description Concurrent sessions per user; the oldest goes first */
              maxPerUser?: number;
            };
            lockout?: {
              /** @description Failed sign-ins in a row that lock the account */
              maxFailures?: number;
              /** @description How long a locked account stays locked */
              durationSeconds?: number;
            };
            branding?: {
              /** @description Name shown on the pages (null: the tenant display name) */
              displayName?: string | null;
              /** @description https URL of a logo image */
              logoUrl?: string | null;
              accentColor?: string;
            };
            alerts?: {
              /** @description Mail the user when they sign in from a browser not seen before (no device mark, no live session of the same browser family from the same network) */
              newSignIn?: boolean;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description Which passwords users of the tenant may choose */
              password: {
                /** @description Shortest password accepted (never below 12) */
                minLength: number;
                requireLowercase: boolean;
                requireUppercase: boolean;
                requireDigit: boolean;
                requireSymbol: boolean;
                /** @description Lowest zxcvbn score (0–4) accepted; common and dictionary passwords score low (0 disables the check) */
                minStrength: number;
                /** @description Refuse a password containing the username or email */
                refuseUserNames: boolean;
                /** @description Earlier passwords that may not be reused */
                historyCount: number;
                /** @description Days until a password must change (0: never) */
                expiryDays: number;
              };
              sessions: {
                /** @description Signed out after this long without use */
                idleTimeoutMinutes: number;
                /** @description Signed out this long after signing in, whatever the use */
                absoluteLifetimeMinutes: number;
                /** @description Concurrent sessions per user; the oldest goes first */
                maxPerUser: number;
              };
              lockout: {
                /** @description Failed sign-ins in a row that lock the account */
                maxFailures: number;
                /** @description How long a locked account stays locked */
                durationSeconds: number;
              };
              branding: {
                /** @description Name shown on the pages (null: the tenant display name) */
                displayName: string | null;
                /** @description https URL of a logo image */
                logoUrl: string | null;
                accentColor: string;
              };
              alerts: {
                /** @description Mail the user when they sign in from a browser not seen before (no device mark, no live session of the same browser family from the same network) */
                newSignIn: boolean;
              };
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/sign-in-settings/logo': {
    /** The tenant's uploaded logo (404 when there is none) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              contentType: 'image/png' | 'image/jpeg' | 'image/webp';
              /** @description SHA-256 of the stored (cleaned) image, hex */
              digest: string;
              /** @description Bytes stored (metadata removed) */
              size: number;
              width: number;
              height: number;
              /** Format: date-time */
              updatedAt: string;
              /** @description Where the hosted pages serve it (immutable; cached for a year) */
              url: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /**
     * Upload the tenant's logo for the hosted pages
     * @description The raw image as the body: PNG, JPEG or WebP, at most 256 KiB and 4096 px a side (SVG is refused: 415). The file must be well-formed to its end (nothing after the image: 400 `logo_invalid`); text metadata is removed before it is stored. It then replaces `branding.logoUrl` on the pages.
     */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'image/png': string;
          'image/jpeg': string;
          'image/webp': string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              contentType: 'image/png' | 'image/jpeg' | 'image/webp';
              /** @description SHA-256 of the stored (cleaned) image, hex */
              digest: string;
              /** @description Bytes stored (metadata removed) */
              size: number;
              width: number;
              height: number;
              /** Format: date-time */
              updatedAt: string;
              /** @description Where the hosted pages serve it (immutable; cached for a year) */
              url: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Remove the tenant's uploaded logo (the pages fall back to branding.logoUrl) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/mfa': {
    /** A user's MFA: authenticator app, backup codes, passkeys, requirement */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description An authenticator app is enrolled (and confirmed) */
              totp: boolean;
              totpConfirmedAt: string | null;
              backupCodesLeft: number;
              passkeys: {
                id: string;
                name: string;
                deviceType: string;
                backedUp: boolean;
                /** Format: date-time */
                createdAt: string;
                lastUsedAt: string | null;
              }[];
              /** @description MFA is required of this user (tenant, group or user) */
              required: boolean;
              graceEndsAt: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/users/{userId}/mfa/reset': {
    /** Reset a user's MFA: the authenticator app, backup codes and passkeys go; a new grace period starts at the next sign-in (audited, mailed to the user) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          /** @description User id (UUID) */
          userId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @description What went: totp, backup_codes, passkeys */
              removed: string[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/mfa/requirements': {
    /** Who must use MFA in the tenant */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: {
                /** @enum {string} */
                subjectType: 'tenant' | 'group' | 'user';
                subjectId: string | null;
                graceDays: number;
                /** Format: date-time */
                createdAt: string;
                createdBy: string;
              }[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Require MFA of the tenant, a group (its members, nested too) or a user, with a grace period */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            subjectType: 'tenant' | 'group' | 'user';
            /** @description Group or user id (not for the tenant) */
            subjectId?: string;
            /** @description Days from the first sign-in after this (default 7) */
            graceDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              subjectType: 'tenant' | 'group' | 'user';
              subjectId: string | null;
              graceDays: number;
              /** Format: date-time */
              createdAt: string;
              createdBy: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/mfa/requirements/remove': {
    /** Stop requiring MFA of the tenant, a group or a user */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            subjectType: 'tenant' | 'group' | 'user';
            /** @description Group or user id (not for the tenant) */
            subjectId?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/api-tokens/': {
    /** List a tenant's API tokens (personal and service), optionally one owner's */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: createdAt, -createdAt */
          sort?: 'createdAt' | '-createdAt';
          user?: string;
          client?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['ApiToken'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create a personal (user) or service (client) API token; the secret is returned once */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            name: string;
            /** @description Owner of a personal token (user id) */
            user?: string;
            /** @description Owner of a service token (client resource id) */
            client?: string;
            /** @default [] */
            scopes: string[];
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              /** @description Shown once */
              secret: string;
              token: components['schemas']['ApiToken'];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/api-tokens/{tokenId}': {
    /** Get an API token */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          tokenId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              /** @enum {string} */
              kind: 'personal' | 'service';
              name: string;
              /** @description Safe-to-show beginning of the secret */
              prefix: string;
              scopes: string[];
              /** @enum {string} */
              ownerType: 'user' | 'client';
              ownerId: string;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              createdBy: string;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Revoke an API token (refused by every instance within a second) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          tokenId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/gateway/routes': {
    /** List a tenant's gateway routes */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–200). */
          limit?: number;
          /** @description Opaque cursor from a previous page. */
          cursor?: string;
          /** @description Sort field; prefix with - for descending. One of: createdAt, -createdAt */
          sort?: 'createdAt' | '-createdAt';
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['GatewayRoute'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Create a route (ties with an existing route are refused) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description api.example.com, *.example.com or * */
            host: string;
            /** @description /exact, /prefix/*, /users/{id} */
            path: string;
            /** @description Method (or *) → auth modes tried in order, e.g. {"GET":["public"],"POST":["hmac","api_key"]} */
            auth: {
              [key: string]: ('public' | 'api_key' | 'hmac' | 'jwt' | 'session')[];
            };
            audience?: string | null;
            description?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              host: string;
              path: string;
              auth: {
                [key: string]: string[];
              };
              audience: string | null;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/gateway/routes/{routeId}': {
    /** Get a route */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          routeId: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              host: string;
              path: string;
              auth: {
                [key: string]: string[];
              };
              audience: string | null;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Delete a route and its permissions */
    delete: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          routeId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Change a route */
    patch: {
      parameters: {
        header?: {
          /** @description Apply only if the resource still has this ETag (its version), else 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          routeId: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            host?: string;
            path?: string;
            /** @description Method (or *) → auth modes tried in order, e.g. {"GET":["public"],"POST":["hmac","api_key"]} */
            auth?: {
              [key: string]: ('public' | 'api_key' | 'hmac' | 'jwt' | 'session')[];
            };
            audience?: string | null;
            description?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              host: string;
              path: string;
              auth: {
                [key: string]: string[];
              };
              audience: string | null;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/gateway/permissions': {
    /** List gateway permissions (optionally of one route) */
    get: {
      parameters: {
        query?: {
          limit?: number;
          cursor?: string;
          routeId?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['GatewayPermission'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Grant a client, user or role methods on a route (a second grant for the same subject replaces it) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            routeId: string;
            /** @description client id, client_id or name */
            client?: string;
            /** @description user id, username or email */
            user?: string;
            /** @description role name */
            role?: string;
            methods: string[];
            scopes?: string[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              routeId: string;
              /** @enum {string} */
              subjectType: 'client' | 'user' | 'role';
              subject: string;
              methods: string[];
              scopes: string[];
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/gateway/permissions/{permissionId}': {
    /** Revoke a gateway permission */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          permissionId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/gateway/limits': {
    /** List a tenant's gateway rate limits */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['GatewayLimit'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Set a rate limit for a client, a token or any caller, on one route or all (replaces the same one) */
    put: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            client?: string;
            token?: string;
            routeId?: string | null;
            quota?: number | null;
            quotaWindowSeconds?: number | null;
            burst?: number | null;
            burstWindowSeconds?: number | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              /** @enum {string} */
              subjectType: 'client' | 'token' | 'any';
              subject: string;
              routeId: string | null;
              quota: number | null;
              quotaWindowSeconds: number | null;
              burst: number | null;
              burstWindowSeconds: number | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/gateway/limits/{limitId}': {
    /** Delete a rate limit */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          limitId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/clients/{client}/hmac-secrets': {
    /** List a client's HMAC secrets (fingerprints, never the secret) */
    get: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          client: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              items: components['schemas']['GatewayHmacSecret'][];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
    /** Add an HMAC secret to a client (at most two live; returned once) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          client: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              secret: string;
              hmacSecret: components['schemas']['GatewayHmacSecret'];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/clients/{client}/hmac-secrets/{secretId}': {
    /** Revoke an HMAC secret (refused everywhere within a second) */
    delete: {
      parameters: {
        header?: {
          /** @description This resource has no ETag: only `*` matches; any other value is refused with 412 */
          'if-match'?: string;
        };
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
          client: string;
          secretId: string;
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          content: never;
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description If-Match names a stale version */
        412: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
  '/api/v1/tenants/{tenant}/authz/explain': {
    /** Explain the /authz decision for a request, step by step (spends no nonce or rate limit) */
    post: {
      parameters: {
        path: {
          /** @description URL-safe tenant identifier */
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            method: string;
            /** @description https://api.example.com/path?query */
            url: string;
            headers?: {
              [key: string]: string;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              allow: boolean;
              status: number;
              reason: string | null;
              detail?: string;
              routeId: string | null;
              headers: {
                [key: string]: string;
              };
              steps: {
                step: string;
                outcome: string;
                detail?: string;
              }[];
            };
          };
        };
        /** @description The request does not match the schema (problem `validation_failed`, …) */
        400: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No or an invalid admin API token */
        401: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description The token lacks the ability or belongs to another tenant */
        403: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description No such resource in this tenant */
        404: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
        /** @description Conflicts with an existing resource */
        409: {
          content: {
            'application/problem+json': components['schemas']['Problem'];
          };
        };
      };
    };
  };
}

export type webhooks = Record<string, never>;

export interface components {
  schemas: {
    /** @description RFC 9457 problem details */
    Problem: {
      type: string;
      title: string;
      status: number;
      code: string;
      detail?: string;
      instance?: string;
      requestId?: string;
      errors?: {
        path: string;
        message: string;
      }[];
    };
    /** @description An organization or unit with its descendants (at most 32 levels) */
    OrganizationTreeNode: {
      /** Format: uuid */
      id: string;
      /** @description null for a top-level organization */
      parentId: string | null;
      /** @enum {string} */
      kind: 'organization' | 'unit';
      name: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      /** @description Current version; the ETag is this number in quotes */
      version: number;
      /** @description Child units, by name */
      children: components['schemas']['OrganizationTreeNode'][];
    };
    Tenant: {
      id: string;
      slug: string;
      displayName: string;
      /** @enum {string} */
      status: 'active' | 'suspended';
      domains: string[];
      /** @description OIDC issuer of this tenant */
      issuer: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    Credential: {
      id: string;
      kind: string;
      tenant: string | null;
      name: string;
      /** @description Safe-to-show beginning of the secret */
      prefix: string;
      abilities: string[];
      ownerType: string;
      ownerId: string | null;
      expiresAt: string | null;
      lastUsedAt: string | null;
      revokedAt: string | null;
      /** Format: date-time */
      createdAt: string;
      createdBy: string;
    };
    AuditEntry: {
      seq: number;
      /** Format: date-time */
      time: string;
      tenant: string | null;
      actor: string;
      action: string;
      target: string | null;
      result: string;
      requestId: string | null;
      data: {
        [key: string]: unknown;
      };
      prevHash: string;
      entryHash: string;
    };
    Role: {
      id: string;
      name: string;
      description: string | null;
      permissions: string[];
      /** @description Built-in roles cannot be changed or deleted */
      builtin: boolean;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    Group: {
      id: string;
      name: string;
      description: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    GroupMember: {
      /** @enum {string} */
      type: 'user' | 'group';
      id: string;
      /** @description Username of a user, name of a nested group */
      name: string;
      /** Format: date-time */
      addedAt: string;
    };
    UserGroup: {
      id: string;
      name: string;
      description: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
      /** @description True for a direct membership, false when only through nesting */
      direct: boolean;
    };
    User: {
      id: string;
      username: string;
      email: string | null;
      emailVerified: boolean;
      name: string | null;
      givenName: string | null;
      familyName: string | null;
      locale: string | null;
      picture: string | null;
      /** @enum {string} */
      status: 'active' | 'disabled' | 'locked';
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      lastSignInAt: string | null;
      /** @description Also sent as the ETag */
      version: number;
    };
    UserIdentity: {
      provider: string;
      subject: string;
      data: {
        [key: string]: unknown;
      };
      /** Format: date-time */
      createdAt: string;
    };
    UserProperty: {
      app: string;
      key: string;
      value: string;
      /** Format: date-time */
      updatedAt: string;
    };
    Client: {
      id: string;
      /** @description The OAuth client_id */
      clientId: string;
      name: string;
      /**
       * @description confidential: holds secrets (a backend); public: cannot keep a secret (SPA, native, CLI)
       * @enum {string}
       */
      kind: 'confidential' | 'public';
      /** @description First-party clients skip the consent page */
      firstParty: boolean;
      /** @enum {string} */
      status: 'active' | 'disabled';
      redirectUris: string[];
      postLogoutRedirectUris: string[];
      grantTypes: string[];
      scopes: string[];
      authMethod: string;
      jwks: {
        keys: unknown[];
      } | null;
      jwksUri: string | null;
      /** @description Where the client receives OpenID back-channel logout tokens */
      backchannelLogoutUri: string | null;
      claimMapping: {
        include: string[];
        rename: {
          [key: string]: string;
        };
      } | null;
      accessTokenTtl: number | null;
      refreshTokenTtl: number | null;
      idTokenTtl: number | null;
      /** @description Registered through dynamic client registration (RFC 7591); swept when left unused */
      dynamic: boolean;
      /** @description When a dynamically registered client last obtained a token */
      lastUsedAt: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    ClientSecret: {
      id: string;
      prefix: string;
      expiresAt: string | null;
      lastUsedAt: string | null;
      revokedAt: string | null;
      /** Format: date-time */
      createdAt: string;
    };
    SigningKey: {
      kid: string;
      alg: string;
      /** @enum {string} */
      state: 'pending' | 'signing' | 'retired';
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      activatesAt: string;
      expiresAt: string | null;
    };
    ResourceServer: {
      id: string;
      /** @description The audience (an absolute URI, RFC 8707) */
      identifier: string;
      name: string;
      scopes: string[];
      /** @enum {string} */
      tokenFormat: 'jwt' | 'opaque';
      accessTokenTtl: number | null;
      /** Format: date-time */
      createdAt: string;
    };
    TrustLink: {
      id: string;
      /** @description The calling client's id */
      client: string;
      resourceServer: string;
      audience: string;
      scopes: string[];
      /** @description May act on behalf of a user (token exchange, jwt-bearer) */
      delegation: boolean;
      /** Format: date-time */
      createdAt: string;
    };
    RegistrationTokenInfo: {
      /** @description The SHA-256 digest of the token (base64url) */
      id: string;
      issuedAt: string | null;
      expiresAt: string | null;
    };
    ApiToken: {
      id: string;
      /** @enum {string} */
      kind: 'personal' | 'service';
      name: string;
      /** @description Safe-to-show beginning of the secret */
      prefix: string;
      scopes: string[];
      /** @enum {string} */
      ownerType: 'user' | 'client';
      ownerId: string;
      expiresAt: string | null;
      lastUsedAt: string | null;
      revokedAt: string | null;
      /** Format: date-time */
      createdAt: string;
      createdBy: string;
    };
    GatewayRoute: {
      id: string;
      host: string;
      path: string;
      auth: {
        [key: string]: string[];
      };
      audience: string | null;
      description: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    GatewayPermission: {
      id: string;
      routeId: string;
      /** @enum {string} */
      subjectType: 'client' | 'user' | 'role';
      subject: string;
      methods: string[];
      scopes: string[];
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    GatewayLimit: {
      id: string;
      /** @enum {string} */
      subjectType: 'client' | 'token' | 'any';
      subject: string;
      routeId: string | null;
      quota: number | null;
      quotaWindowSeconds: number | null;
      burst: number | null;
      burstWindowSeconds: number | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      version: number;
    };
    GatewayHmacSecret: {
      id: string;
      clientId: string;
      fingerprint: string;
      expiresAt: string | null;
      revokedAt: string | null;
      /** Format: date-time */
      createdAt: string;
      createdBy: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}

export type $defs = Record<string, never>;

export type external = Record<string, never>;

export type operations = Record<string, never>;
