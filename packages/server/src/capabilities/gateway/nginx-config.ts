/**
 * The nginx configuration of deploy/nginx/gatekeeper-auth.conf, as a function of its addresses, so
 * the end-to-end test runs exactly what the example shows (and a test keeps the two equal).
 */

export interface NginxSite {
  /** `127.0.0.1:8443` — where nginx listens. */
  listen: string;
  /** `http://127.0.0.1:8080` — Gatekeeper. */
  gatekeeper: string;
  /** Tenant slug (`root` uses `/authz`). */
  tenant: string;
  /** `http://127.0.0.1:3000` — the protected service. */
  upstream: string;
  /** Public URL of Gatekeeper for the browser redirect (default: `gatekeeper`). */
  publicUrl?: string;
}

/** nginx variable suffix → the identity header Gatekeeper answers with (gatewayIdentityHeaders). */
const IDENTITY: readonly [string, string][] = [
  ['client_id', 'X-Client-ID'],
  ['client_name', 'X-Client-Name'],
  ['route_id', 'X-Route-ID'],
  ['user_id', 'X-User-ID'],
  ['scopes', 'X-Scopes'],
  ['client_ip', 'X-Client-IP'],
];

/** The `server { … }` block protecting `upstream` with Gatekeeper's /authz. */
export function nginxServerBlock(site: NginxSite): string {
  const authz = site.tenant === 'root' ? '/authz' : `/t/${site.tenant}/authz`;
  const signIn = `${site.publicUrl ?? site.gatekeeper}${site.tenant === 'root' ? '/t/root' : `/t/${site.tenant}`}/sign-in`;
  const setIdentity = IDENTITY.map(([v]) => `    auth_request_set $gk_${v} $upstream_http_x_${v};`).join(
    '\n',
  );
  const passIdentity = IDENTITY.map(([v, h]) => `    proxy_set_header ${h} $gk_${v};`).join('\n');
  return `server {
  listen ${site.listen};

  # the subrequest to Gatekeeper: always a GET without a body; the original request in headers
  location = /_gatekeeper_authz {
    internal;
    proxy_pass ${site.gatekeeper}${authz};
    proxy_pass_request_body off;
    proxy_set_header Content-Length "";
    proxy_set_header X-Original-URI $request_uri;
    proxy_set_header X-Original-Method $request_method;
    proxy_set_header X-Original-Host $http_host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  }

  location / {
    auth_request /_gatekeeper_authz;
    # identity headers from the decision, handed to the upstream (a client cannot set them: they are
    # always overwritten, empty when the decision did not name them)
${setIdentity}
    auth_request_set $gk_www_authenticate $upstream_http_www_authenticate;
    auth_request_set $gk_status $upstream_http_x_authz_status;
    auth_request_set $gk_retry_after $upstream_http_retry_after;
    auth_request_set $gk_ratelimit_limit $upstream_http_ratelimit_limit;
    auth_request_set $gk_ratelimit_remaining $upstream_http_ratelimit_remaining;
    auth_request_set $gk_ratelimit_reset $upstream_http_ratelimit_reset;
${passIdentity}
    add_header RateLimit-Limit $gk_ratelimit_limit always;
    add_header RateLimit-Remaining $gk_ratelimit_remaining always;
    add_header RateLimit-Reset $gk_ratelimit_reset always;
    error_page 401 = @gatekeeper_401;
    error_page 403 = @gatekeeper_403;
    proxy_pass ${site.upstream};
  }

  # a browser navigation without credentials goes to the hosted sign-in; an API call gets the 401
  location @gatekeeper_401 {
    if ($http_sec_fetch_mode = "navigate") {
      return 302 ${signIn}?return_to=$scheme://$http_host$request_uri;
    }
    add_header WWW-Authenticate $gk_www_authenticate always;
    return 401;
  }

  # nginx turns a 429 from auth_request into a 500, so Gatekeeper sends 403 + X-Authz-Status: 429
  location @gatekeeper_403 {
    if ($gk_status = "429") {
      add_header Retry-After $gk_retry_after always;
      add_header RateLimit-Limit $gk_ratelimit_limit always;
      add_header RateLimit-Remaining $gk_ratelimit_remaining always;
      add_header RateLimit-Reset $gk_ratelimit_reset always;
      return 429;
    }
    return 403;
  }
}
`;
}
