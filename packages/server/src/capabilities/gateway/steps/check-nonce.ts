/**
 * checkNonce: a signed request's nonce is accepted once per client, across every instance, for
 * twice the clock window (at least 600 s) — one set-if-absent in the shared state, never
 * read-then-write. A request the window already refuses cannot be replayed after the nonce expired.
 */

import type { AuthzContext } from '../decision.ts';
import { type Deny, deny } from '../reasons.ts';
import type { AuthzStep, StepDeps } from './step.ts';

export const checkNonce: AuthzStep = {
  name: 'checkNonce',
  run(ctx, deps) {
    if (!ctx.nonce) return undefined; // no promise when there is nothing to spend
    return spend(ctx, deps);
  },
};

/** Spends `ctx.nonce` (set by a signed mode) with one set-if-absent. */
async function spend(ctx: AuthzContext, deps: StepDeps): Promise<Deny | undefined> {
  const nonce = ctx.nonce!;
  const ttlMs = Math.max(600, 2 * deps.clockSkewSeconds()) * 1000;
  const key = `gw-nonce:${ctx.tenant!.id}:${nonce.scope}:${nonce.value}`;
  if (ctx.explain) {
    if ((await deps.state.get(key)) !== null) return deny('nonce_replayed');
    ctx.note('nonce unused (explain does not spend it)');
    return undefined;
  }
  if (!(await deps.state.setIfAbsent(key, '1', ttlMs))) return deny('nonce_replayed');
  if (ctx.trace) ctx.note(`nonce ${nonce.value.slice(0, 16)}… spent for ${ttlMs / 1000} s`);
  return undefined;
}
