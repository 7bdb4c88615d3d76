/**
 * `gatekeeper authz explain` and `POST /api/v1/tenants/{tenant}/authz/explain`: runs the decision for
 * a request described by method, URL and headers — as nginx would ask about it, from a trusted
 * forwarder — and returns every step's outcome, without spending a nonce or a rate-limit point and
 * without auditing. For operators debugging a denial.
 */
import { AppError } from '../../errors/app-error.ts';
import type { AuthzInput, Decision } from './decision.ts';
import type { Decider } from './pipeline.ts';

export interface ExplainRequest {
  tenantSlug: string;
  method: string;
  url: string;
  /** Header name → value (e.g. authorization). */
  headers?: Record<string, string>;
}

/** `Name: value` lines (the CLI's --header) into a header map. */
export function parseHeaderLines(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new AppError('validation_failed', {
        detail: `--header "${line.slice(0, 40)}": expected Name: value`,
      });
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

export async function explainRequest(decider: Decider, req: ExplainRequest): Promise<Decision> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new AppError('validation_failed', { detail: 'url: an absolute http(s) URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('validation_failed', { detail: 'url: an absolute http(s) URL' });
  const target = req.url.slice(req.url.indexOf(url.host) + url.host.length) || '/';
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    'x-original-method': req.method.toUpperCase(),
    'x-original-host': url.host,
    'x-original-uri': target.startsWith('/') ? target : `/${target}`,
    'x-forwarded-proto': url.protocol.slice(0, -1),
  };
  const input: AuthzInput = {
    tenantSlug: req.tenantSlug,
    peer: '127.0.0.1',
    method: 'GET',
    headers,
    rawHeaders: Object.entries(headers).flat(),
    envoyTarget: null,
  };
  return decider.decide(input, { explain: true });
}
