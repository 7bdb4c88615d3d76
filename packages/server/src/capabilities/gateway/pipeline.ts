/**
 * The `/authz` decision: an ordered list of small named steps (STYLE.md principle 6), each in its own
 * file under steps/. The runner stops at the first denial, turns the outcome into a decision (status,
 * reason, headers), audits it — every denial; one allow in `gatewayAuditAllowEvery` — through the
 * event bus (batched off the request path), and counts it in Prometheus. A step that throws (a cache
 * load or the shared state failing) denies with `internal_error`: /authz fails closed and never
 * answers with a 5xx.
 */
import type { Registry } from 'prom-client';
import type { EventBus } from '../../events/event-bus.ts';
import { type CounterSeries, HotCounter, HotHistogram } from '../../http/metrics.ts';
import type { AuthzContext, AuthzInput, Decision } from './decision.ts';
import { type DenyReason, statusOf } from './reasons.ts';
import { authenticate, MODE_CHECKS } from './steps/authenticate.ts';
import { checkNonce } from './steps/check-nonce.ts';
import { checkPermission } from './steps/check-permission.ts';
import { matchRoute } from './steps/match-route.ts';
import { rateLimit } from './steps/rate-limit.ts';
import { readOriginalRequest } from './steps/read-original-request.ts';
import { refuseDuplicates } from './steps/refuse-duplicates.ts';
import { resolveClientIp } from './steps/resolve-client-ip.ts';
import { resolveTenant } from './steps/resolve-tenant.ts';
import { signInRedirect } from './steps/sign-in-redirect.ts';
import type { AuthzStep, StepDeps } from './steps/step.ts';

export const AUTHZ_STEPS: readonly AuthzStep[] = [
  resolveTenant, // the tenant of the issuer path, active
  refuseDuplicates, // no credential or original-request header twice
  resolveClientIp, // trusted forwarders → client address
  readOriginalRequest, // the proxy's description of the original request, path tricks refused
  matchRoute, // host + path → route (compiled table), method → modes
  authenticate, // api_key | hmac | jwt | session, tried in order → caller
  checkNonce, // replay guard: one set-if-absent
  checkPermission, // caller × route × method, required scopes
  rateLimit, // quota + burst per caller
];

export interface DeciderDeps extends StepDeps {
  bus: EventBus;
  registry: Registry;
  auditAllowEvery(): number;
  /** field → header name (gatewayIdentityHeaders). */
  identityHeaders(): ReadonlyMap<string, string>;
  onError(err: unknown): void;
}

export interface Decider {
  /** `explain`: trace every step, take the proxy as trusted, spend nothing, audit nothing. */
  decide(input: AuthzInput, options?: { explain?: boolean }): Promise<Decision>;
}

const SAFE_HEADER = /^[\x20-\x7e]*$/;
/** `ctx.note` off the explain path (steps build a note's text only when `ctx.trace` is set). */
const ignoreNote = () => {};
const headerValue = (v: string) => (SAFE_HEADER.test(v) ? v : encodeURIComponent(v));

/** Parses `client-id=X-Client-ID,…` into field → header. */
export function parseIdentityHeaders(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.split(',')) {
    const [field, name] = pair.split('=') as [string, string | undefined];
    if (field && name) map.set(field.trim(), name.trim());
  }
  return map;
}

export function createDecider(deps: DeciderDeps): Decider {
  // (hot-path metrics: an observation is an increment on a series held here, see http/metrics.ts)
  const decisions = new HotCounter({
    name: 'gatekeeper_authz_decisions_total',
    help: '/authz decisions by decision and reason',
    registry: deps.registry,
  });
  const latency = new HotHistogram({
    name: 'gatekeeper_authz_decision_seconds',
    help: 'Time to reach an /authz decision',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
    registry: deps.registry,
  });
  const allowLatency = latency.series({ decision: 'allow' });
  const denyLatency = latency.series({ decision: 'deny' });
  const byReason = new Map<string, CounterSeries>();
  const counted = (reason: DenyReason | null) => {
    const key = reason ?? 'allowed';
    let series = byReason.get(key);
    if (!series) {
      series = decisions.series({ decision: reason === null ? 'allow' : 'deny', reason: key });
      byReason.set(key, series);
    }
    return series;
  };
  let allowsSinceAudit = 0;

  /** The identity headers of an allow, written into `headers` (configured names, lowercased once). */
  function identity(ctx: AuthzContext, headers: Record<string, string>): void {
    const c = ctx.caller;
    for (const [field, name] of identityHeaders()) {
      let v: string | null | undefined;
      switch (field) {
        case 'client-id':
          v = c?.client?.clientId;
          break;
        case 'client-name':
          v = c?.client?.name;
          break;
        case 'route-id':
          v = ctx.match?.route.id;
          break;
        case 'user-id':
          v = c?.userId;
          break;
        case 'token-id':
          v = c?.tokenId;
          break;
        case 'scopes':
          v = c && c.scopes.length > 0 ? c.scopes.join(' ') : undefined;
          break;
        case 'client-ip':
          v = ctx.clientIp;
          break;
      }
      if (v) headers[name] = headerValue(v);
    }
  }

  // the configured field → header map, its names lowercased once per setting value
  let lowered: { from: ReadonlyMap<string, string>; map: ReadonlyMap<string, string> } | undefined;
  function identityHeaders(): ReadonlyMap<string, string> {
    const from = deps.identityHeaders();
    if (lowered?.from !== from)
      lowered = { from, map: new Map([...from].map(([field, name]) => [field, name.toLowerCase()])) };
    return lowered.map;
  }

  function finish(ctx: AuthzContext, reason: DenyReason | null, detail: string | undefined): Decision {
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    const rl = ctx.rateLimit;
    if (rl) {
      headers['ratelimit-limit'] = String(rl.limit);
      headers['ratelimit-remaining'] = String(rl.remaining);
      headers['ratelimit-reset'] = String(rl.resetSeconds);
      headers['ratelimit-policy'] = rl.policy;
    }
    const status = reason === null ? 200 : statusOf(reason);
    if (reason === null) identity(ctx, headers);
    else {
      headers['x-authz-reason'] = reason;
      if (status === 401) {
        const realm = ctx.tenant?.slug ?? 'gatekeeper';
        const modes = ctx.modes ?? ['api_key', 'hmac'];
        const challenges = new Set(modes.map((m) => MODE_CHECKS[m]?.challenge(realm)).filter(Boolean));
        if (challenges.size > 0) headers['www-authenticate'] = [...challenges].join(', ');
      }
      if (status === 429) headers['retry-after'] = String(Math.max(1, rl?.resetSeconds ?? 1));
    }
    const decision: Decision = {
      allow: reason === null,
      status,
      reason,
      headers,
      adapter: ctx.original?.adapter ?? null,
      routeId: ctx.match?.route.id ?? null,
      caller: ctx.caller ?? null,
      clientIp: ctx.clientIp ?? ctx.input.peer,
    };
    // (optional fields only when present, set in place: an allow builds one object)
    if (detail) decision.detail = detail;
    if (status === 401) {
      const signIn = signInRedirect(ctx, deps);
      if (signIn) decision.signIn = signIn;
    }
    if (ctx.trace) decision.trace = ctx.trace;
    return decision;
  }

  function audit(ctx: AuthzContext, d: Decision): void {
    if (d.allow) {
      const every = deps.auditAllowEvery();
      if (every === 0 || ++allowsSinceAudit < every) return;
      allowsSinceAudit = 0;
    }
    const o = ctx.original;
    const c = ctx.caller;
    deps.bus.emit({
      type: d.allow ? 'authz.allowed' : 'authz.denied',
      tenant: ctx.tenant?.slug ?? null,
      actor: c?.tokenId
        ? `credential:${c.tokenId}`
        : c?.client
          ? `client:${c.client.id}`
          : c?.userId
            ? `user:${c.userId}`
            : `ip:${d.clientIp}`,
      target: d.routeId ? `route:${d.routeId}` : null,
      result: d.allow ? 'success' : 'denied',
      data: {
        ...(d.reason ? { reason: d.reason } : {}),
        ...(d.detail ? { detail: d.detail.slice(0, 300) } : {}),
        ip: d.clientIp,
        ...(o
          ? { adapter: o.adapter, method: o.method, host: o.hostName, path: o.parsed.rawPath.slice(0, 256) }
          : {}),
      },
    });
  }

  return {
    async decide(input, options = {}) {
      const started = performance.now();
      const trace = options.explain ? ([] as NonNullable<AuthzContext['trace']>) : undefined;
      let current = '';
      const ctx: AuthzContext = trace
        ? {
            input,
            now: Date.now(),
            trace,
            explain: true,
            note: (detail) => trace.push({ step: current, outcome: 'ok', detail }),
          }
        : { input, now: Date.now(), note: ignoreNote };
      let reason: DenyReason | null = null;
      let detail: string | undefined;
      for (const step of AUTHZ_STEPS) {
        current = step.name;
        let result: Awaited<ReturnType<AuthzStep['run']>>;
        try {
          const r = step.run(ctx, deps);
          result = r instanceof Promise ? await r : r;
        } catch (err) {
          deps.onError(err);
          result = { deny: 'internal_error', detail: `${step.name} failed` };
        }
        if (trace && !result && trace[trace.length - 1]?.step !== step.name)
          trace.push({ step: step.name, outcome: 'ok' });
        if (result) {
          reason = result.deny;
          detail = result.detail;
          trace?.push({ step: step.name, outcome: `deny ${result.deny}`, ...(detail ? { detail } : {}) });
          break;
        }
      }
      const decision = finish(ctx, reason, detail);
      if (trace) return decision;
      audit(ctx, decision);
      counted(reason).inc();
      (decision.allow ? allowLatency : denyLatency).observe((performance.now() - started) / 1000);
      return decision;
    },
  };
}
