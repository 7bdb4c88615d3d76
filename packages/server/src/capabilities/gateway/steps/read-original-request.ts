/**
 * readOriginalRequest: which proxy protocol is speaking (adapters/), and the original request's
 * method, host, scheme and target as it reports them — believed only from a trusted forwarder, and
 * refused when two protocols' headers are present (a client behind Traefik can add `X-Original-URI`
 * itself; a client behind nginx, `X-Forwarded-Uri`). The target goes through the path-trick guard
 * (policy/target.ts) here, so every later step sees a clean path.
 */
import { ADAPTERS } from '../adapters/index.ts';
import { parseTarget, requestHostName } from '../policy/target.ts';
import { deny } from '../reasons.ts';
import type { AuthzStep } from './step.ts';

const METHOD = /^[A-Z]{1,16}$/;

export const readOriginalRequest: AuthzStep = {
  name: 'readOriginalRequest',
  run(ctx) {
    const speaking = ADAPTERS.filter((a) => a.describes(ctx.input));
    if (speaking.length === 0)
      return deny('missing_original_request', 'no X-Original-URI, X-Forwarded-Uri or Envoy path');
    if (speaking.length > 1)
      return deny('ambiguous_original_request', `headers of ${speaking.map((a) => a.name).join(' and ')}`);
    const adapter = speaking[0]!;
    if (!ctx.trustedPeer)
      return deny('untrusted_forwarder', `${adapter.name} headers from an address not in trusted forwarders`);
    const d = adapter.read(ctx.input);
    if (d.method === undefined || !METHOD.test(d.method))
      return deny('malformed_method', `method ${JSON.stringify((d.method ?? '').slice(0, 20))}`);
    const hostName = d.host === undefined ? null : requestHostName(d.host);
    if (d.host === undefined || hostName === null)
      return deny('malformed_host', `host ${JSON.stringify((d.host ?? '').slice(0, 80))}`);
    if (d.target === undefined) return deny('missing_original_request', 'no request target');
    const parsed = parseTarget(d.target);
    if (typeof parsed === 'string') return deny(parsed, `target ${JSON.stringify(d.target.slice(0, 120))}`);
    const proto = (d.proto ?? 'http').toLowerCase();
    if (proto !== 'http' && proto !== 'https')
      return deny('missing_original_request', 'scheme is not http(s)');
    ctx.original = {
      adapter: adapter.name,
      method: d.method,
      host: d.host,
      hostName,
      proto,
      target: d.target,
      parsed,
    };
    if (ctx.trace) ctx.note(`${adapter.name}: ${d.method} ${proto}://${d.host}${d.target.slice(0, 200)}`);
    return undefined;
  },
};
