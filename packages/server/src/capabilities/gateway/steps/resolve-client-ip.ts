/**
 * resolveClientIp: whether the caller of `/authz` is a trusted forwarder, and the client's address —
 * from `X-Original-Client-IP` or `X-Forwarded-For` only when it is (forwarders.ts). The address feeds
 * rate limits, the audit and the `X-Client-IP` header.
 */
import { clientAddress, plainAddress } from '../forwarders.ts';
import { type AuthzStep, headerOf } from './step.ts';

export const resolveClientIp: AuthzStep = {
  name: 'resolveClientIp',
  run(ctx, deps) {
    const forwarders = deps.forwarders();
    ctx.trustedPeer = ctx.explain === true || forwarders.trusts(ctx.input.peer);
    ctx.clientIp = clientAddress(ctx.input.peer, forwarders, {
      originalClientIp: headerOf(ctx, 'x-original-client-ip'),
      forwardedFor: headerOf(ctx, 'x-forwarded-for'),
    });
    if (ctx.trace)
      ctx.note(
        `peer ${plainAddress(ctx.input.peer)} ${ctx.trustedPeer ? 'is' : 'is not'} a trusted forwarder; client ${ctx.clientIp}`,
      );
    return undefined;
  },
};
