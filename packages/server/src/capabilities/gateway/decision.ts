/**
 * The shapes the `/authz` pipeline passes along: what the endpoint hands in (the request to `/authz`
 * as received), the context each step reads and fills, the caller an auth mode establishes, and the
 * decision the adapters turn into a status and headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { TenantRef } from '../../access/principal.ts';
import type { RouteMatch, TenantPolicy } from './policy/compile.ts';
import type { AuthMode } from './policy/model.ts';
import type { ParsedTarget } from './policy/target.ts';
import type { DenyReason } from './reasons.ts';

export type AdapterName = 'nginx' | 'traefik' | 'envoy';

/** The request to `/authz`, as received. */
export interface AuthzInput {
  tenantSlug: string;
  /** The socket peer (the proxy). */
  peer: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** Name/value pairs as received (duplicates kept). */
  rawHeaders: readonly string[];
  /** Envoy: the raw original target after the `/authz` prefix (`/api/x?y=1`); null otherwise. */
  envoyTarget: string | null;
  /** A body a proxy forwarded (Envoy with_request_body, Traefik forwardBody), if any. */
  body?: Buffer | undefined;
}

/** The original request the proxy asks about. */
export interface OriginalRequest {
  adapter: AdapterName;
  method: string;
  /** Raw host (port kept) and its host name (lowercase, no port). */
  host: string;
  hostName: string;
  proto: 'http' | 'https';
  /** Raw request target (`/path?query`). */
  target: string;
  parsed: ParsedTarget;
}

/** Who the request is from, once a mode accepted its credential. */
export interface Caller {
  via: Exclude<AuthMode, 'public'>;
  client: { id: string; clientId: string; name: string } | null;
  userId: string | null;
  /** Effective role names of the user (role grants). */
  roles: readonly string[];
  tokenId: string | null;
  scopes: readonly string[];
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  policy: string;
}

export interface AuthzContext {
  readonly input: AuthzInput;
  readonly now: number;
  tenant?: TenantRef;
  policy?: TenantPolicy;
  clientIp?: string;
  trustedPeer?: boolean;
  original?: OriginalRequest;
  match?: RouteMatch;
  modes?: readonly AuthMode[];
  /** Set by `public`: no caller needed. */
  anonymous?: boolean;
  caller?: Caller;
  /** Set by a signed mode: spent once by checkNonce. */
  nonce?: { scope: string; value: string };
  rateLimit?: RateLimitState;
  /** `authz explain`: the proxy is taken as trusted, nonces and limits are looked at, not spent. */
  explain?: boolean;
  /** Operators' trace (`authz explain`); absent on the hot path. */
  trace?: { step: string; outcome: string; detail?: string }[];
  /** Notes a step's detail into the trace, when there is one. */
  note(detail: string): void;
}

export interface Decision {
  allow: boolean;
  status: 200 | 401 | 403 | 429;
  reason: DenyReason | null;
  detail?: string;
  /** Identity headers (allow), WWW-Authenticate / Retry-After (deny), RateLimit-*. */
  headers: Record<string, string>;
  adapter: AdapterName | null;
  /** A browser navigation without a session, behind Traefik or Envoy: send it here (a 302). */
  signIn?: string;
  routeId: string | null;
  caller: Caller | null;
  clientIp: string;
  trace?: AuthzContext['trace'];
}
