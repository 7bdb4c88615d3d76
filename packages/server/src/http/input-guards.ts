/**
 * Edge guards around schema validation (ARCHITECTURE.md §5.6):
 * - on `onRequest`, before any hook of any plugin context can look something up (the admin guard
 *   resolves `{tenant}` there): the request target must be valid UTF-8 once percent-decoded and hold
 *   no NUL byte — so path parameters and the query string are safe before anyone reads them;
 * - on `preValidation` (routes that take a body): every string in the body must be storable — no NUL byte, no
 *   lone surrogate (`"\ud800"` in JSON is legal syntax but no valid text; PostgreSQL refuses it,
 *   SQLite silently turns it into U+FFFD, `encodeURIComponent` throws on it) — and JSON must not be
 *   absurdly nested;
 * - on `preHandler`: numbers must be finite — Ajv's type coercion turns "Infinity" or "1e400" into a
 *   number that passes `integer` and even `maximum`, so the check looks at the coerced values.
 * Invalid UTF-8 *bytes* in a JSON body are refused by the admin API's body parser (`json-body.ts`).
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerHookHandler,
  preValidationHookHandler,
} from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { problemOf, sendProblem } from './problem.ts';

const MAX_DEPTH = 32;

/** Why a string cannot be stored, or null when it can. */
export function unstorable(value: string): string | null {
  if (value.includes('\0')) return 'contains a NUL byte';
  if (!value.isWellFormed()) return 'contains a lone surrogate (not valid Unicode text)';
  return null;
}

function findUnstorable(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) throw new AppError('validation_failed', { detail: `${path}: nested too deeply` });
  if (typeof value === 'string') {
    const why = unstorable(value);
    return why ? `${path} ${why}` : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], `${path}/${i}`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const why = unstorable(k);
      if (why) return `${path}/${k.replace(/\0/g, '\\0').toWellFormed()} (a property name) ${why}`;
      const hit = findUnstorable(v, `${path}/${k}`, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

function findNonFinite(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findNonFinite(v, `${path}/${k}`, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Why the request target (path and query, as sent) is unusable, or null. Cheap for the common case:
 * a plain ASCII target without escapes is accepted without decoding.
 */
export function badRequestTarget(url: string): string | null {
  if (!url.includes('%')) {
    return url.isWellFormed() && !url.includes('\0')
      ? null
      : 'the URL contains characters that cannot be stored';
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    return 'the URL is not valid percent-encoded UTF-8';
  }
  return decoded.includes('\0') ? 'the URL contains a NUL byte' : null;
}

/**
 * Answers Fastify's own request errors (a path the router cannot decode) as problem documents, like
 * every other error: `Fastify({ frameworkErrors })`.
 */
export function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    err.code === 'FST_ERR_BAD_URL'
      ? problemOf('invalid_characters', { detail: 'the URL is not valid percent-encoded UTF-8' })
      : problemOf('validation_failed', { detail: err.message });
  sendProblem(reply, request, problem);
}

/**
 * Whether values validated (and coerced) by this JSON schema can be numbers: a `number` or `integer`
 * anywhere in it, or a part that says nothing of its type. An absent schema holds nothing; a
 * schema of strings only (a slug, an id) needs no finite-number check.
 */
export function mayHoldNumber(schema: unknown, depth = 0): boolean {
  if (schema === undefined) return false;
  if (typeof schema !== 'object' || schema === null || depth > 32) return true;
  const s = schema as Record<string, unknown>;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[key];
    if (Array.isArray(list) && list.some((part) => mayHoldNumber(part, depth + 1))) return true;
  }
  const type = s.type;
  if (type === undefined) return !(s.anyOf || s.oneOf || s.allOf || 'const' in s || s.enum);
  const types = Array.isArray(type) ? type : [type];
  if (types.some((t) => t === 'number' || t === 'integer')) return true;
  if (types.includes('object')) {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    if (Object.values(props).some((p) => mayHoldNumber(p, depth + 1))) return true;
    const extra = s.additionalProperties;
    if (extra !== undefined && extra !== false && mayHoldNumber(extra === true ? {} : extra, depth + 1))
      return true;
    const patterns = (s.patternProperties ?? {}) as Record<string, unknown>;
    if (Object.values(patterns).some((p) => mayHoldNumber(p, depth + 1))) return true;
  }
  if (types.includes('array') && s.items !== undefined && mayHoldNumber(s.items, depth + 1)) return true;
  return false;
}

/** Whether a route can receive a body (so its body must be checked). */
function takesBody(method: string | string[]): boolean {
  return (Array.isArray(method) ? method : [method]).some((m) => m !== 'GET' && m !== 'HEAD');
}

/**
 * Installs the request-target, storable-string, nesting and finite-number guards (issue 6 §9: cheap
 * for every route). The target check runs for every request and covers path parameters and the query
 * string, which come from the target; the body and coerced-number checks are added only to the routes
 * that can have them (a body, or a schema whose coercion can yield a number), so `/healthz` runs one
 * guard. Callback hooks, not async ones: a promise per hook per request is what made them cost.
 * `exempt` names targets that judge their own request target (`/authz`: a bad target is a 403
 * reason there, since nginx turns a 400 into a 500). The composition root runs the target check in
 * its single root `onRequest` hook instead (`requestTargetError`) and calls `registerRouteGuards`.
 */
export function registerInputGuards(
  app: FastifyInstance,
  exempt: (url: string) => boolean = () => false,
): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(requestTargetError(request.url, exempt));
  });
  registerRouteGuards(app);
}

/** The request-target guard: the error to answer with, or undefined when the target is usable. */
export function requestTargetError(url: string, exempt: (url: string) => boolean): AppError | undefined {
  if (exempt(url)) return undefined;
  const why = badRequestTarget(url);
  return why ? new AppError('invalid_characters', { detail: why }) : undefined;
}

/** The body and finite-number guards, added to each route that can need them (see above). */
export function registerRouteGuards(app: FastifyInstance): void {
  const storableBody: preValidationHookHandler = (request, _reply, done) => {
    let hit: string | null;
    try {
      hit = findUnstorable(request.body, 'body', 0);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(hit ? new AppError('invalid_characters', { detail: hit }) : undefined);
  };
  const finiteNumbers: preHandlerHookHandler = (request, _reply, done) => {
    const hit =
      findNonFinite(request.params, 'params', 0) ??
      findNonFinite(request.query, 'querystring', 0) ??
      findNonFinite(request.body, 'body', 0);
    done(hit ? new AppError('validation_failed', { detail: `${hit} must be a finite number` }) : undefined);
  };
  const append = <T>(existing: T | T[] | undefined, hook: T): T[] =>
    existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    const body = takesBody(route.method);
    if (body) route.preValidation = append(route.preValidation, storableBody);
    if (body || mayHoldNumber(schema?.params) || mayHoldNumber(schema?.querystring))
      route.preHandler = append(route.preHandler, finiteNumbers);
  });
}
