/**
 * nginx `auth_request` (PEERS.md): the subrequest is a GET without a body; the original request is in
 * `X-Original-Method`, `X-Original-Host` (raw `$http_host`), `X-Original-URI` (raw `$request_uri`)
 * and `X-Forwarded-Proto`. nginx lets 2xx through, hands 401 (with WWW-Authenticate) and 403 to the
 * client and turns anything else into a 500 — 429 included. So a rate-limit denial goes to nginx as a
 * 403 carrying `X-Authz-Status: 429`, `Retry-After` and the `RateLimit-*` headers; the
 * `error_page 403` location of deploy/nginx answers the client 429 with them.
 */
import { one, type ProxyAdapter, plainAnswer } from './adapter.ts';

export const nginxAdapter: ProxyAdapter = {
  name: 'nginx',
  describes: (input) => input.envoyTarget === null && input.headers['x-original-uri'] !== undefined,
  read: (input) => ({
    method: one(input, 'x-original-method'),
    host: one(input, 'x-original-host'),
    target: one(input, 'x-original-uri'),
    proto: one(input, 'x-forwarded-proto') ?? one(input, 'x-original-proto'),
  }),
  respond(decision) {
    const answer = plainAnswer(decision);
    if (answer.status !== 429) return answer;
    return { status: 403, headers: { ...answer.headers, 'x-authz-status': '429' } };
  },
};
