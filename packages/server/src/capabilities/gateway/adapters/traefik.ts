/**
 * Traefik forwardAuth: the original request is in `X-Forwarded-Method`, `X-Forwarded-Host`,
 * `X-Forwarded-Uri` and `X-Forwarded-Proto`, which Traefik sets itself (with `trustForwardHeader`
 * off it overwrites what the client sent). Any 2xx allows; other answers, with their headers, go to
 * the client. The client's own headers reach `/authz` too, so a request that also carries
 * `X-Original-URI` is ambiguous and refused (readOriginalRequest).
 */
import { one, type ProxyAdapter, plainAnswer } from './adapter.ts';

export const traefikAdapter: ProxyAdapter = {
  name: 'traefik',
  describes: (input) => input.envoyTarget === null && input.headers['x-forwarded-uri'] !== undefined,
  read: (input) => ({
    method: one(input, 'x-forwarded-method'),
    host: one(input, 'x-forwarded-host'),
    target: one(input, 'x-forwarded-uri'),
    proto: one(input, 'x-forwarded-proto'),
  }),
  respond: plainAnswer,
};
