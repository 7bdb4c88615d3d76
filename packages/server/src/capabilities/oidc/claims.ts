/**
 * Per-client claim mapping for ID tokens and userinfo. A client may
 * - `include` Gatekeeper claims (`groups`, `roles`, `organizations`) without asking for their scope —
 *   for relying parties that cannot request custom scopes (the administrator's decision, per client);
 * - `rename` released claims (`{"groups": "memberOf"}`) to the names the relying party expects.
 *
 * The library releases a claim only when a granted scope lists it (its `Claims` mask), so the mapping
 * is applied after the mask: `installClaimMapping` wraps the tenant provider's `Claims#result` (one
 * class per Provider, so per tenant) and maps what it returns using the client's record. Protocol
 * claims (`sub`, `sid`, `acr`, …) are never renamed and no claim may be renamed onto one (the rules:
 * clients/rules.ts `checkClaimMapping`).
 */
import type { ClaimMapping } from '../clients/rules.ts';

export type { ClaimMapping };

/** The released claims, with the client's included claims added from `available` and renames applied. */
export function applyClaimMapping(
  released: Record<string, unknown>,
  available: Record<string, unknown>,
  mapping: ClaimMapping | null | undefined,
): Record<string, unknown> {
  if (!mapping) return released;
  const out: Record<string, unknown> = { ...released };
  for (const claim of mapping.include)
    if (!(claim in out) && available[claim] !== undefined) out[claim] = available[claim];
  for (const [from, to] of Object.entries(mapping.rename)) {
    if (!(from in out)) continue;
    out[to] = out[from];
    delete out[from];
  }
  return out;
}

interface ClaimsInstance {
  available: Record<string, unknown>;
  client: unknown;
}

/** Applies each client's mapping to what the provider's claim mask releases (see the file header). */
export function installClaimMapping(
  provider: { Claims: { prototype: { result(): Promise<Record<string, unknown>> } } },
  mappingOf: (client: unknown) => ClaimMapping | null | undefined,
): void {
  const proto = provider.Claims.prototype;
  const result = proto.result;
  proto.result = async function mapped(this: ClaimsInstance) {
    const released = await result.call(this);
    return applyClaimMapping(released, this.available, mappingOf(this.client));
  };
}
