/**
 * The RFC 9421 (HTTP Message Signatures) profile `/authz` accepts: `hmac-sha256` over `@method`,
 * `@authority`, `@path`, `@query` and `content-digest` (all five required; other header fields may
 * be covered too), with `created`, `keyid` and `nonce` parameters (`alg`, if sent, must be
 * `hmac-sha256`; an `expires` in the past refuses). The key id is the client's `client_id`; either of
 * its live secrets may have signed. Component values come from the original request exactly as the
 * proxy reports it — the raw path and query, never normalized (RFC 9421 §2.2.6, §2.2.7) — and the
 * signature base is rebuilt as §2.5 says (the `@signature-params` line re-serializes the parsed
 * parameters). Parsing uses `structured-headers` (RFC 8941).
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type InnerList, parseDictionary, serializeInnerList } from 'structured-headers';
import { type Deny, deny } from '../reasons.ts';

export const REQUIRED_COMPONENTS = ['@method', '@authority', '@path', '@query', 'content-digest'] as const;
const DERIVED = new Set(['@method', '@authority', '@path', '@query', '@scheme', '@target-uri']);
const FIELD = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const NONCE = /^[A-Za-z0-9._~+/=-]{16,128}$/;
const MAX_HEADER = 4096;

export interface SignedRequest {
  method: string;
  /** Raw host as the proxy reported it (port kept). */
  host: string;
  proto: 'http' | 'https';
  rawPath: string;
  rawQuery: string | null;
  headers: IncomingHttpHeaders;
}

export interface ParsedSignature {
  keyid: string;
  nonce: string;
  created: number;
  base: string;
  signature: Buffer;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** `@authority`: the host lowercased, without the scheme's default port (RFC 9421 §2.2.3). */
export function authorityOf(host: string, proto: 'http' | 'https'): string {
  const h = host.toLowerCase();
  if (proto === 'https' && h.endsWith(':443')) return h.slice(0, -4);
  if (proto === 'http' && h.endsWith(':80')) return h.slice(0, -3);
  return h;
}

/** The value of one covered component, or undefined when the request has none. */
export function componentValue(req: SignedRequest, name: string): string | undefined {
  switch (name) {
    case '@method':
      return req.method;
    case '@authority':
      return authorityOf(req.host, req.proto);
    case '@path':
      return req.rawPath === '' ? '/' : req.rawPath;
    case '@query':
      return `?${req.rawQuery ?? ''}`;
    case '@scheme':
      return req.proto;
    case '@target-uri':
      return `${req.proto}://${authorityOf(req.host, req.proto)}${req.rawPath}${req.rawQuery === null ? '' : `?${req.rawQuery}`}`;
    default: {
      const v = header(req.headers, name);
      return v === undefined ? undefined : v.trim();
    }
  }
}

/** Builds the signature base (RFC 9421 §2.5) for a parsed `Signature-Input` member. */
export function signatureBase(req: SignedRequest, input: InnerList): string | Deny {
  return baseOf(
    req,
    input[0].map(([name, params]) => ({ name, hasParams: params.size > 0 })),
    serializeInnerList(input),
  );
}

/** The signature base of covered components and the serialized `@signature-params` value. */
function baseOf(
  req: SignedRequest,
  components: readonly { name: unknown; hasParams: boolean }[],
  signatureParams: string,
): string | Deny {
  let base = '';
  for (const { name, hasParams } of components) {
    if (typeof name !== 'string') return deny('malformed_signature', 'a covered component is not a string');
    if (hasParams) return deny('unsupported_signature', `component parameters (${name};…) are not accepted`);
    if (name.startsWith('@') ? !DERIVED.has(name) : !FIELD.test(name))
      return deny('unsupported_signature', `component ${name.slice(0, 40)} is not supported`);
    const value = componentValue(req, name);
    if (value === undefined) return deny('missing_signed_component', `the request has no ${name}`);
    base += `"${name}": ${value}\n`;
  }
  return `${base}"@signature-params": ${signatureParams}`;
}

/**
 * The one-signature, canonically written `Signature-Input` / `Signature` pair every signer sends
 * (`sig=("@method" …);created=…;keyid="…";nonce="…"` and `sig=:…:`), read without the general RFC
 * 8941 parser, which was a third of an HMAC decision. Only text whose structured-field serialization
 * is itself — strings without escapes, integers without leading zeros, no duplicate parameter, no
 * component parameters, single spaces — is taken here, so the raw member is the `@signature-params`
 * value; anything else (tokens, booleans, escapes, several signatures, …) goes to `parseDictionary`
 * and means exactly what it meant before.
 */
const SF_STRING = '"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"';
const SF_KEY = '[a-z*][a-z0-9_.*-]{0,63}';
const CANONICAL_INPUT = new RegExp(
  `^(${SF_KEY})=(\\(((?:${SF_STRING}(?: ${SF_STRING})*)?)\\)((?:;${SF_KEY}=(?:${SF_STRING}|0|-?[1-9][0-9]{0,14}))*))$`,
);
const CANONICAL_SIGNATURE = new RegExp(
  `^(${SF_KEY})=:((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?):$`,
);
const CANONICAL_COMPONENT = new RegExp(SF_STRING, 'g');
const CANONICAL_PARAM = new RegExp(`;(${SF_KEY})=(${SF_STRING}|[-0-9]+)`, 'g');

/** A signature as read from `Signature-Input` and `Signature` (the first member), not yet checked. */
export interface ReadSignature {
  label: string;
  components: { name: unknown; hasParams: boolean }[];
  params: Map<string, unknown>;
  /** The `@signature-params` value. */
  signatureParams: string;
  signature: Buffer;
}

/** The canonical fast path (see above), or undefined to leave the text to `parsedSignature`. */
export function canonicalSignature(inputText: string, sigText: string): ReadSignature | undefined {
  const input = CANONICAL_INPUT.exec(inputText);
  const sig = CANONICAL_SIGNATURE.exec(sigText);
  if (!input || !sig || sig[1] !== input[1]) return undefined;
  const components = (input[3]!.match(CANONICAL_COMPONENT) ?? []).map((q) => ({
    name: q.slice(1, -1),
    hasParams: false,
  }));
  const params = new Map<string, unknown>();
  // validated above, so the matches are the parameters in order (a string's own `;k=` is inside one)
  for (const [, key, value] of input[4]!.matchAll(CANONICAL_PARAM)) {
    if (params.has(key!)) return undefined; // a repeated parameter: the last wins, and reserializes
    params.set(key!, value!.startsWith('"') ? value!.slice(1, -1) : Number(value));
  }
  return {
    label: input[1]!,
    components,
    params,
    signatureParams: input[2]!,
    signature: Buffer.from(sig[2]!, 'base64'),
  };
}

/** The same, through the general structured-field parser. */
export function parsedSignature(inputText: string, sigText: string): ReadSignature | Deny {
  let inputs: ReturnType<typeof parseDictionary>;
  let sigs: ReturnType<typeof parseDictionary>;
  try {
    inputs = parseDictionary(inputText);
    sigs = parseDictionary(sigText);
  } catch {
    return deny('malformed_signature', 'Signature-Input or Signature is not a structured dictionary');
  }
  if (inputs.size === 0 || inputs.size > 8) return deny('malformed_signature', 'one to eight signatures');
  const [label, member] = inputs.entries().next().value as [string, InnerList];
  if (!Array.isArray(member[0])) return deny('malformed_signature', `${label} is not an inner list`);
  const sig = sigs.get(label);
  if (!sig || Array.isArray(sig[0]) || !(sig[0] instanceof ArrayBuffer))
    return deny('malformed_signature', `no byte-sequence Signature for ${label}`);
  return {
    label,
    components: member[0].map(([name, params]) => ({ name, hasParams: params.size > 0 })),
    params: member[1],
    signatureParams: serializeInnerList(member),
    signature: Buffer.from(sig[0]),
  };
}

/**
 * Reads the signature a request carries and checks its profile, time and shape — not yet the key.
 *
 * @example
 * const parsed = parseSignature(req, Date.now(), 300);
 * if (!('deny' in parsed)) hmacMatches(key, parsed);
 */
export function parseSignature(
  req: SignedRequest,
  nowMs: number,
  skewSeconds: number,
): ParsedSignature | Deny {
  const inputText = header(req.headers, 'signature-input');
  const sigText = header(req.headers, 'signature');
  if (!inputText || !sigText) return deny('malformed_signature', 'Signature-Input and Signature go together');
  if (inputText.length > MAX_HEADER || sigText.length > MAX_HEADER)
    return deny('malformed_signature', 'signature header too large');
  const read = canonicalSignature(inputText, sigText) ?? parsedSignature(inputText, sigText);
  if ('deny' in read) return read;
  const { params } = read;
  const alg = params.get('alg');
  if (alg !== undefined && alg !== 'hmac-sha256')
    return deny('unsupported_signature', 'only alg="hmac-sha256" is accepted');
  const keyid = params.get('keyid');
  const nonce = params.get('nonce');
  const created = params.get('created');
  const expires = params.get('expires');
  if (typeof keyid !== 'string' || keyid.length === 0 || keyid.length > 255)
    return deny('malformed_signature', 'keyid (the client_id) is required');
  if (typeof nonce !== 'string' || !NONCE.test(nonce))
    return deny('malformed_nonce', 'nonce: 16 to 128 URL-safe characters');
  if (typeof created !== 'number' || !Number.isSafeInteger(created))
    return deny('malformed_signature', 'created (epoch seconds) is required');
  if (Math.abs(nowMs / 1000 - created) > skewSeconds)
    return deny('clock_skew', `created is ${Math.round(nowMs / 1000 - created)} s from this server's clock`);
  if (expires !== undefined && (typeof expires !== 'number' || expires * 1000 <= nowMs))
    return deny('signature_expired');
  const covered = new Set(read.components.map((c) => c.name));
  const missing = REQUIRED_COMPONENTS.filter((c) => !covered.has(c));
  if (missing.length > 0) return deny('missing_signed_component', `not covered: ${missing.join(' ')}`);
  if (covered.size !== read.components.length)
    return deny('malformed_signature', 'a component is covered twice');
  const base = baseOf(req, read.components, read.signatureParams);
  if (typeof base !== 'string') return base;
  return { keyid, nonce, created, base, signature: read.signature };
}

/** True when `key` produced the signature (constant time). */
export function hmacMatches(key: KeyObject | Buffer, parsed: { base: string; signature: Buffer }): boolean {
  const mac = createHmac('sha256', key).update(parsed.base, 'utf8').digest();
  return mac.length === parsed.signature.length && timingSafeEqual(mac, parsed.signature);
}
