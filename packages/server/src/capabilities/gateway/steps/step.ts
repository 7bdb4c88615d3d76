/**
 * What a step of the `/authz` pipeline is: a name, and a check that reads and fills the context and
 * returns a denial to stop the pipeline (or nothing to go on). Steps read in-memory snapshots only;
 * checkNonce and rateLimit are the two that touch shared state.
 */

import type { JWTVerifyGetKey } from 'jose';
import type { TenantRef } from '../../../access/principal.ts';
import type { SharedState } from '../../../state/state.ts';
import type { TokenCaller, TokenRefusal } from '../../api-tokens/index.ts';
import type { ClientRecord } from '../../clients/index.ts';
import type { ResourcePolicy } from '../../oidc/resources.ts';
import type { AuthzContext } from '../decision.ts';
import type { Forwarders } from '../forwarders.ts';
import type { HmacKey } from '../hmac-secrets.ts';
import type { TenantPolicy } from '../policy/compile.ts';
import type { Deny } from '../reasons.ts';

export interface StepDeps {
  resolveTenant(slug: string): Promise<TenantRef | null>;
  policy(tenantId: string): Promise<TenantPolicy>;
  forwarders(): Forwarders;
  clockSkewSeconds(): number;
  authenticateToken(tenantId: string, secret: string): Promise<TokenCaller | TokenRefusal>;
  clientByClientId(tenantId: string, clientId: string): Promise<ClientRecord | null>;
  hmacKeys(tenantId: string, clientRef: string): Promise<readonly HmacKey[]>;
  /** `session`: the live sign-in session a browser's cookies carry for the tenant, or null (cached). */
  session(tenantId: string, cookieHeader: string): Promise<{ id: string; userId: string } | null>;
  /** The effective roles of an active user; null for a disabled, deleted or unknown one (cached). */
  userAccess(tenantId: string, userId: string): Promise<{ roles: readonly string[] } | null>;
  /** `jwt`: the tenant's issuer and public keys, from the in-process key cache (dropped on rotation). */
  tokenKeys(tenant: TenantRef): Promise<TokenKeys>;
  /** `jwt`: whether the token (its `jti`) was revoked at the revocation endpoint (cached, invalidated). */
  /** Whether a JWT access token was revoked: by its jti, or with every token of its grant. */
  jwtRevoked(tenantId: string, jti: string, grantRef?: string): Promise<boolean>;
  /**
   * `jwt`: a client_id with no client record that is a Client ID Metadata Document client the
   * tenant's provider accepts (its document fetched and valid; cached as the document says), or null.
   */
  metadataDocumentClient(
    tenant: TenantRef,
    clientId: string,
  ): Promise<{ clientId: string; name: string } | null>;
  /** `jwt`: the tenant's resource servers and trust links (cached). */
  resourcePolicy(tenantId: string): Promise<ResourcePolicy>;
  /** Where a browser without a session signs in (absolute), returning to `returnTo`. */
  signInUrl(slug: string, returnTo: string): string;
  /** This server's own host name (a return URL may name it). */
  ownHost(): string | null;
  state: SharedState;
}

/** What verifies a tenant's access tokens: its issuer and a key lookup over its published keys. */
export interface TokenKeys {
  issuer: string;
  keys: JWTVerifyGetKey;
}

export interface AuthzStep {
  readonly name: string;
  run(ctx: AuthzContext, deps: StepDeps): Promise<Deny | undefined> | Deny | undefined;
}

/** The one value of a header (joined when Node merged duplicates; duplicates are refused earlier). */
export function headerOf(ctx: AuthzContext, name: string): string | undefined {
  const v = ctx.input.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
