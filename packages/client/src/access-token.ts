/**
 * Checking Gatekeeper access tokens in a resource server (an API, an MCP server) in three lines, and
 * announcing where its tokens come from:
 * - `createAccessTokenVerifier({ issuer, audience })` → `verify(authorizationHeader, request?)`: an
 *   RFC 9068 JWT (`typ: at+jwt`) signed by a key of the tenant's JWKS (fetched once and cached by
 *   jose, refetched when an unknown `kid` appears — a rotation), with the expected `iss` and `aud`;
 *   for a DPoP-bound token (`cnf.jkt`, RFC 9449) the `DPoP` proof must match the key, the method
 *   and the URL.
 * - `protectedResourceMetadata({ resource, issuer, scopes })`: the RFC 9728 document to serve at
 *   `/.well-known/oauth-protected-resource`, and `wwwAuthenticate(...)` for the 401 that points to it
 *   (what MCP clients read to find the authorization server).
 *
 * @example
 * const verifier = createAccessTokenVerifier({ issuer: 'https://id.example.com/t/acme', audience: 'https://api.example.com/' });
 * const token = await verifier.verify(req.headers.authorization); // throws AccessTokenError
 * token.sub; token.scope; token.client_id;
 */
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  client_id: string;
  scope?: string;
  act?: { sub: string };
  cnf?: { jkt?: string };
}

export class AccessTokenError extends Error {
  /** RFC 6750 §3.1 error code for the WWW-Authenticate answer. */
  readonly code: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  constructor(code: AccessTokenError['code'], message: string) {
    super(message);
    this.name = 'AccessTokenError';
    this.code = code;
  }
}

export interface AccessTokenVerifierOptions {
  /** The tenant's issuer, `<Gatekeeper URL>/t/<slug>`. */
  issuer: string;
  /** This resource server's identifier (the resource server's `identifier` in Gatekeeper). */
  audience: string;
  /** Scopes every token must carry (RFC 6750 `insufficient_scope` otherwise). */
  requiredScopes?: readonly string[];
  /** Accepted clock skew in seconds (default 30). */
  clockToleranceSeconds?: number;
  /** The JWKS URL (default `<issuer>/jwks`). */
  jwksUri?: string;
  /**
   * Least time between two JWKS fetches (default 30 s): a token whose kid is unknown refetches at
   * most this often. The JWKS is refetched anyway after 10 minutes — the same as Gatekeeper's default
   * publish-before-sign lead time, so a rotated-in key is known before it signs.
   */
  cooldownSeconds?: number;
  /** A fetch for the JWKS (tests). */
  fetch?: typeof fetch;
}

export interface DpopContext {
  /** The `DPoP` header of the request. */
  dpop?: string | undefined;
  method: string;
  /** The request URL as the client used it (scheme, host, path; no query or fragment). */
  url: string;
}

export interface AccessTokenVerifier {
  verify(authorization: string | undefined, request?: DpopContext): Promise<AccessTokenClaims>;
}

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'PS256'];

async function checkDpop(token: string, jkt: string, request: DpopContext | undefined): Promise<void> {
  if (!request?.dpop) throw new AccessTokenError('invalid_token', 'a DPoP-bound token needs a DPoP proof');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(request.dpop);
  } catch {
    throw new AccessTokenError('invalid_token', 'the DPoP proof is not a JWT');
  }
  if (header.typ !== 'dpop+jwt' || !header.jwk)
    throw new AccessTokenError('invalid_token', 'not a DPoP proof');
  if ((await calculateJwkThumbprint(header.jwk as JWK)) !== jkt)
    throw new AccessTokenError('invalid_token', 'the DPoP key does not match the token');
  const key = await importJWK(header.jwk as JWK, header.alg);
  const { payload } = await jwtVerify(request.dpop, key, { typ: 'dpop+jwt', maxTokenAge: 300 }).catch(() => {
    throw new AccessTokenError('invalid_token', 'the DPoP proof does not verify');
  });
  const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString(
    'base64url',
  );
  const htu = new URL(request.url);
  htu.search = '';
  htu.hash = '';
  if (payload.htm !== request.method.toUpperCase() || payload.htu !== htu.href || payload.ath !== ath)
    throw new AccessTokenError('invalid_token', 'the DPoP proof is for another request or token');
}

/** Creates a verifier; its JWKS is fetched on first use and cached (see the file header). */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/jwks`), {
    cacheMaxAge: 600_000,
    cooldownDuration: (options.cooldownSeconds ?? 30) * 1000,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  return {
    async verify(authorization, request) {
      const m = /^(Bearer|DPoP) ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
      if (!m)
        throw new AccessTokenError('invalid_request', 'an Authorization: Bearer (or DPoP) token is required');
      const [, scheme, token] = m as unknown as [string, string, string];
      const { payload } = await jwtVerify<AccessTokenClaims>(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms: ALGORITHMS,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'client_id', 'jti', 'exp', 'iat'],
      }).catch((err: Error) => {
        throw new AccessTokenError('invalid_token', err.message);
      });
      const jkt = payload.cnf?.jkt;
      if (jkt) await checkDpop(token, jkt, request);
      else if (scheme === 'DPoP') throw new AccessTokenError('invalid_token', 'the token is not DPoP-bound');
      const scopes = new Set((payload.scope ?? '').split(' '));
      const missing = (options.requiredScopes ?? []).filter((s) => !scopes.has(s));
      if (missing.length > 0)
        throw new AccessTokenError('insufficient_scope', `missing scope ${missing.join(' ')}`);
      return payload;
    },
  };
}

/** RFC 9728 §2: the protected resource metadata document. */
export function protectedResourceMetadata(options: {
  resource: string;
  issuer: string;
  scopes?: readonly string[];
  name?: string;
  dpop?: boolean;
}): Record<string, unknown> {
  return {
    resource: options.resource,
    authorization_servers: [options.issuer],
    bearer_methods_supported: ['header'],
    ...(options.scopes ? { scopes_supported: [...options.scopes] } : {}),
    ...(options.name ? { resource_name: options.name } : {}),
    ...(options.dpop ? { dpop_signing_alg_values_supported: ['ES256', 'RS256', 'EdDSA'] } : {}),
  };
}

/** The `WWW-Authenticate` value of a 401/403 that points clients to the metadata (RFC 9728 §5.1). */
export function wwwAuthenticate(metadataUrl: string, error?: AccessTokenError): string {
  const parts = [`resource_metadata="${metadataUrl}"`];
  if (error)
    parts.push(`error="${error.code}"`, `error_description="${error.message.replace(/["\\]/g, '')}"`);
  return `Bearer ${parts.join(', ')}`;
}
