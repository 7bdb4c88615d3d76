/**
 * Where a browser without a session is sent (issue 11 §4): a 401 on a route method that accepts
 * `session`, asked by Traefik or Envoy about a navigation (`Sec-Fetch-Mode: navigate` and not
 * `Accept: application/json`), becomes a 302 to the tenant's hosted sign-in with the original URL as
 * its return URL — checked like every return URL (the tenant's route hosts or this server's; the
 * open-redirect tricks refused), and a 401 when it does not pass. A fetch/XHR call always gets the
 * 401. nginx is never redirected: it turns the 401 into the redirect itself (`error_page 401`).
 */
import type { AuthzContext } from '../decision.ts';
import { checkReturnUrl } from '../return-url.ts';
import type { StepDeps } from './step.ts';

/** True for a top-level browser navigation (Fetch Metadata), not an API call. */
export function isNavigation(headers: AuthzContext['input']['headers']): boolean {
  const accept = headers.accept;
  return (
    headers['sec-fetch-mode'] === 'navigate' &&
    !(typeof accept === 'string' && accept.toLowerCase().includes('application/json'))
  );
}

/** The sign-in URL to redirect to, or undefined to answer the 401 as it is. */
export function signInRedirect(ctx: AuthzContext, deps: StepDeps): string | undefined {
  const { original, tenant, policy, modes } = ctx;
  if (!original || !tenant || !policy || !modes?.includes('session')) return undefined;
  if (original.adapter === 'nginx' || !isNavigation(ctx.input.headers)) return undefined;
  const returnTo = checkReturnUrl(
    `${original.proto}://${original.host}${original.target}`,
    (host) => policy.servesHost(host),
    deps.ownHost(),
  );
  return returnTo ? deps.signInUrl(tenant.slug, returnTo) : undefined;
}
