/**
 * rateLimit: every limit that applies to the caller — its client's, its token's, or any caller's; on
 * this route or on every route — spends one point of its quota (e.g. per 24 h) and of its burst (e.g.
 * per second), counted per caller in the shared state (Redis in scale-out, so every instance counts
 * together; rate-limiter-flexible windows start with the key's first request). Any exhausted limit
 * refuses with Retry-After; the tightest one is reported as RateLimit-Limit/-Remaining/-Reset.
 */
import type { RateLimiter } from '../../../state/state.ts';
import type { AuthzContext } from '../decision.ts';
import type { Limit } from '../policy/compile.ts';
import { type Deny, deny } from '../reasons.ts';
import type { AuthzStep, StepDeps } from './step.ts';

const limiters = new WeakMap<object, Map<string, RateLimiter>>();

function limiterFor(deps: StepDeps, points: number, windowSeconds: number): RateLimiter {
  let byShape = limiters.get(deps.state);
  if (!byShape) {
    byShape = new Map();
    limiters.set(deps.state, byShape);
  }
  const name = `gw:${points}:${windowSeconds}`;
  let limiter = byShape.get(name);
  if (!limiter) {
    limiter = deps.state.createRateLimiter({ name, points, durationSec: windowSeconds });
    byShape.set(name, limiter);
  }
  return limiter;
}

function applies(limit: Limit, ctx: AuthzContext): boolean {
  const caller = ctx.caller;
  if (limit.subjectType === 'any') return true;
  if (limit.subjectType === 'client') return caller?.client?.id === limit.subject;
  return caller?.tokenId === limit.subject;
}

function callerKey(ctx: AuthzContext): string {
  const c = ctx.caller;
  if (c?.tokenId) return `t:${c.tokenId}`;
  if (c?.client) return `c:${c.client.id}`;
  if (c?.userId) return `u:${c.userId}`;
  return `ip:${ctx.clientIp}`;
}

export const rateLimit: AuthzStep = {
  name: 'rateLimit',
  run(ctx, deps) {
    const { limits: routeLimits } = ctx.match!.route;
    const { tenantLimits } = ctx.policy!;
    if (routeLimits.length === 0 && tenantLimits.length === 0) return undefined; // no promise, no arrays
    const limits = [...routeLimits, ...tenantLimits].filter((l) => applies(l, ctx));
    if (limits.length === 0) return undefined;
    return spendLimits(ctx, deps, limits);
  },
};

/** Spends a point of each applying limit's quota and burst; the tightest one names the headers. */
async function spendLimits(
  ctx: AuthzContext,
  deps: StepDeps,
  limits: readonly Limit[],
): Promise<Deny | undefined> {
  if (ctx.explain) {
    if (ctx.trace) ctx.note(`${limits.length} limit(s) apply (explain spends no points)`);
    return undefined;
  }
  const key = `${ctx.tenant!.id}:${callerKey(ctx)}`;
  const spends: Promise<{
    points: number;
    windowSeconds: number;
    r: Awaited<ReturnType<RateLimiter['consume']>>;
  }>[] = [];
  for (const l of limits) {
    for (const shape of [l.quota, l.burst]) {
      if (!shape) continue;
      const limiter = limiterFor(deps, shape.points, shape.windowSeconds);
      spends.push(limiter.consume(`${l.id}:${key}`).then((r) => ({ ...shape, r })));
    }
  }
  const results = await Promise.all(spends);
  const tightest = results.reduce((a, b) => (b.r.remaining < a.r.remaining ? b : a));
  ctx.rateLimit = {
    limit: tightest.points,
    remaining: Math.max(0, tightest.r.remaining),
    resetSeconds: Math.ceil(tightest.r.resetMs / 1000),
    policy: results.map((x) => `${x.points};w=${x.windowSeconds}`).join(', '),
  };
  const refused = results.filter((x) => !x.r.allowed);
  if (refused.length > 0) {
    const wait = Math.max(...refused.map((x) => x.r.retryAfterMs));
    ctx.rateLimit.resetSeconds = Math.ceil(wait / 1000);
    return deny('rate_limited', `${refused[0]!.points} per ${refused[0]!.windowSeconds} s used up`);
  }
  if (ctx.trace) ctx.note(`within limits (${ctx.rateLimit.remaining} of ${ctx.rateLimit.limit} left)`);
  return undefined;
}
