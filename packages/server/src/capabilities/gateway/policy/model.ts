/**
 * The gateway's nouns as services and hot paths see them: routes with an auth requirement per method,
 * permissions on routes, rate limits, and the modes a request can authenticate with. Rows are JSON
 * text in the database (see storage/tables.ts); these are the parsed forms.
 */

/**
 * How a method of a route authenticates. `public`: nobody needs to; `api_key`: a personal or service
 * API token (`gk_pat_…`, `gk_svc_…`); `hmac`: a request signed with a client's shared secret (RFC 9421
 * or the `Authorization: HMAC` scheme); `jwt`: a Gatekeeper access token (RFC 9068) whose audience is
 * the route's; `session`: a browser's Gatekeeper sign-in cookie. A list is tried in order: the first
 * mode whose credential the request carries decides.
 */
export const AUTH_MODES = ['public', 'api_key', 'hmac', 'jwt', 'session'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A method name as routes and permissions spell it; `*` stands for every method not listed. */
export const METHOD_PATTERN = '^([A-Z]{1,16}|\\*)$';
export const ANY_METHOD = '*';

export interface RouteView {
  id: string;
  host: string;
  path: string;
  /** Method (or `*`) → auth modes tried in order. */
  auth: Record<string, AuthMode[]>;
  audience: string | null;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type SubjectType = 'client' | 'user' | 'role';

export interface PermissionView {
  id: string;
  routeId: string;
  subjectType: SubjectType;
  /** Client id (resource id), user id, or role name. */
  subject: string;
  methods: string[];
  scopes: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type LimitSubjectType = 'client' | 'token' | 'any';

export interface LimitView {
  id: string;
  subjectType: LimitSubjectType;
  /** Client id, token id, or '' for any caller (each caller counted on its own). */
  subject: string;
  /** null: every route. */
  routeId: string | null;
  /** Requests per `quotaWindowSeconds` (e.g. per 24 h). */
  quota: number | null;
  quotaWindowSeconds: number | null;
  /** Requests per `burstWindowSeconds` (e.g. per second). */
  burst: number | null;
  burstWindowSeconds: number | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}
