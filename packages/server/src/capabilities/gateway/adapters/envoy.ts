/**
 * Envoy ext_authz (HTTP service): Envoy sends the original method, the original path appended to
 * the configured `path_prefix` (`/t/<slug>/authz` or `/authz`), and the original `Host`; only a 200
 * allows, and `allowed_upstream_headers` picks the identity headers to pass on.
 */
import { one, type ProxyAdapter, plainAnswer } from './adapter.ts';

export const envoyAdapter: ProxyAdapter = {
  name: 'envoy',
  describes: (input) => input.envoyTarget !== null,
  read: (input) => ({
    method: input.method,
    host: one(input, 'host'),
    target: input.envoyTarget ?? undefined,
    proto: one(input, 'x-forwarded-proto'),
  }),
  respond: plainAnswer,
};
