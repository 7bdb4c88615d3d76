/**
 * What a step of the `/authz` pipeline is: a name, and a check that reads and fills the context and
 * returns a denial to stop the pipeline (or nothing to go on). Steps read in-memory snapshots only;
 * checkNonce and rateLimit are the two that touch shared state.
 */
import type { TenantRef } from '../../../access/principal.ts';
import type { SharedState } from '../../../state/state.ts';
import type { TokenCaller, TokenRefusal } from '../../api-tokens/index.ts';
import type { ClientRecord } from '../../clients/index.ts';
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
  state: SharedState;
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
