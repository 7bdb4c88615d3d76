/**
 * rateLimit — sign-in attempts per client address and per tenant, counted in the shared state (so
 * every instance shares one budget), before any password hashing: a flood costs no Argon2 time.
 */
import type { RateLimiter } from '../../../state/state.ts';
import { messages } from '../pages/messages.en.ts';
import type { SignInStep } from './types.ts';

export function rateLimit(limiters: { perIp: RateLimiter; perTenant: RateLimiter }): SignInStep {
  return async (attempt) => {
    const ip = await limiters.perIp.consume(`${attempt.tenant.id}:${attempt.ip}`);
    const tenant = ip.allowed ? await limiters.perTenant.consume(attempt.tenant.id) : ip;
    if (ip.allowed && tenant.allowed) return undefined;
    return {
      kind: 'refused',
      reason: ip.allowed ? 'tenant_rate_limited' : 'ip_rate_limited',
      message: messages.rateLimited,
      status: 429,
    };
  };
}
