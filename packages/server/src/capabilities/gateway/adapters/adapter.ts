/**
 * A proxy protocol: how a proxy describes the original request to `/authz`, and how a decision goes
 * back. All three speak plain HTTP; they differ in which headers carry the method, host and target:
 * nginx `auth_request` sets `X-Original-*` (nginx.ts), Traefik forwardAuth `X-Forwarded-*`
 * (traefik.ts), Envoy ext_authz appends the original path to its `path_prefix` (envoy.ts).
 */
import type { AdapterName, AuthzInput, Decision } from '../decision.ts';

export interface Described {
  method: string | undefined;
  host: string | undefined;
  target: string | undefined;
  proto: string | undefined;
}

export interface ProxyAdapter {
  readonly name: AdapterName;
  /** True when the request to /authz is in this protocol's shape. */
  describes(input: AuthzInput): boolean;
  /** The original request as this protocol reports it (not yet validated). */
  read(input: AuthzInput): Described;
  /** Status and headers of the answer for a decision. */
  respond(decision: Decision): { status: number; headers: Record<string, string> };
}

/** First value of a header. */
export function one(input: AuthzInput, name: string): string | undefined {
  const v = input.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The answer every protocol gives: the decision's status and headers (only 200, 401, 403, 429), or a
 * 302 to the hosted sign-in for a browser navigation without a session (steps/sign-in-redirect.ts).
 */
export function plainAnswer(decision: Decision): { status: number; headers: Record<string, string> } {
  if (decision.signIn) return { status: 302, headers: { ...decision.headers, location: decision.signIn } };
  return { status: decision.status, headers: decision.headers };
}
