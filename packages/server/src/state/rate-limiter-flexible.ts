/**
 * The two rate-limiter-flexible classes an embedded server uses, each from its own file (issue 6 §9:
 * cold start and idle memory). The package's index loads all of its 25 limiters (MongoDB, MySQL,
 * DynamoDB, etcd, Drizzle, cluster, …): 24 ms and half a MiB at start, against 3 ms for these. The
 * Redis state (loaded only with Redis) imports the package as usual; a class is the same object
 * either way (one CommonJS module per file), so `instanceof RateLimiterRes` holds for both.
 */
import { createRequire } from 'node:module';
import type * as Library from 'rate-limiter-flexible';

const require = createRequire(import.meta.url);

export const RateLimiterMemory =
  require('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof Library.RateLimiterMemory;
export const RateLimiterRes =
  require('rate-limiter-flexible/lib/RateLimiterRes.js') as typeof Library.RateLimiterRes;
export type RateLimiterRes = Library.RateLimiterRes;
