/**
 * Input rules of routes, permissions and limits: every value is checked here before it is stored, so
 * the compiled policy never meets a pattern or mode it cannot read.
 */
import { AppError } from '../../errors/app-error.ts';
import { isScope } from '../credentials/index.ts';
import { ANY_METHOD, AUTH_MODES, type AuthMode, METHOD_PATTERN } from './policy/model.ts';

const methodRegex = new RegExp(METHOD_PATTERN);
const MAX_METHODS = 20;
const MAX_WINDOW_SECONDS = 31 * 86_400;

function invalid(detail: string): never {
  throw new AppError('validation_failed', { detail });
}

/** Checks a method name (`GET`, `*`). */
export function checkMethod(method: string): string {
  if (!methodRegex.test(method))
    invalid(`"${method.slice(0, 20)}" is not an HTTP method (GET, POST, … or *)`);
  return method;
}

/** Checks the per-method auth requirement of a route. */
export function checkAuth(auth: Record<string, readonly string[]>): Record<string, AuthMode[]> {
  const entries = Object.entries(auth);
  if (entries.length === 0) invalid('auth: give at least one METHOD=MODE');
  if (entries.length > MAX_METHODS) invalid(`auth: at most ${MAX_METHODS} methods`);
  const out: Record<string, AuthMode[]> = {};
  for (const [method, modes] of entries) {
    checkMethod(method);
    if (!Array.isArray(modes) || modes.length === 0 || modes.length > AUTH_MODES.length)
      invalid(`auth ${method}: one to ${AUTH_MODES.length} modes`);
    for (const m of modes) {
      if (!(AUTH_MODES as readonly string[]).includes(m))
        invalid(`auth ${method}: "${String(m).slice(0, 20)}" is not a mode (${AUTH_MODES.join(', ')})`);
    }
    if (new Set(modes).size !== modes.length) invalid(`auth ${method}: a mode is listed twice`);
    if (modes.includes('public') && modes.length > 1)
      invalid(`auth ${method}: public stands alone (it needs no credential to try)`);
    out[method] = [...modes] as AuthMode[];
  }
  return out;
}

/** Parses `GET=public`, `POST=jwt,api_key` (the CLI's --auth) into a requirement. */
export function parseAuthSpecs(specs: readonly string[]): Record<string, string[]> {
  const auth: Record<string, string[]> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) invalid(`--auth ${spec.slice(0, 40)}: expected METHOD=MODE[,MODE…]`);
    const method = spec.slice(0, eq).trim().toUpperCase();
    const key = method === 'ANY' ? ANY_METHOD : method;
    if (auth[key]) invalid(`--auth: ${method} is given twice`);
    auth[key] = spec
      .slice(eq + 1)
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
  }
  return auth;
}

/** Checks a permission's methods (deduplicated, sorted). */
export function checkMethods(methods: readonly string[]): string[] {
  if (methods.length === 0 || methods.length > MAX_METHODS) invalid(`methods: one to ${MAX_METHODS}`);
  return [...new Set(methods.map((m) => checkMethod(m.trim().toUpperCase())))].sort();
}

/** Checks required scopes (deduplicated, sorted). */
export function checkScopes(scopes: readonly string[]): string[] {
  if (scopes.length > 50) invalid('scopes: at most 50');
  const bad = scopes.find((s) => !isScope(s));
  if (bad !== undefined) invalid(`"${String(bad).slice(0, 40)}" is not a scope (noun:verb, noun:* or *)`);
  return [...new Set(scopes)].sort();
}

/** Checks an optional audience (a resource server identifier, usually a URL). */
export function checkAudience(audience: string | null | undefined): string | null {
  if (audience === undefined || audience === null || audience === '') return null;
  if (audience.length > 512 || /[\s\p{Cc}]/u.test(audience))
    invalid('audience: up to 512 visible characters');
  return audience;
}

/** Checks a description. */
export function checkDescription(text: string | null | undefined): string | null {
  if (text === undefined || text === null || text === '') return null;
  if (text.length > 500 || /\p{Cc}/u.test(text)) invalid('description: up to 500 printable characters');
  return text;
}

export interface LimitNumbers {
  quota?: number | null;
  quotaWindowSeconds?: number | null;
  burst?: number | null;
  burstWindowSeconds?: number | null;
}

/** Checks a limit: a quota and/or a burst, each a count and a window. */
export function checkLimit(l: LimitNumbers): Required<{ [K in keyof LimitNumbers]: number | null }> {
  const pair = (n: number | null | undefined, w: number | null | undefined, what: string) => {
    if (n === undefined || n === null) {
      if (w !== undefined && w !== null) invalid(`${what}: a window needs a count`);
      return [null, null] as const;
    }
    if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000_000) invalid(`${what}: 1 to 1000000000 requests`);
    const window = w ?? (what === 'quota' ? 86_400 : 1);
    if (!Number.isSafeInteger(window) || window < 1 || window > MAX_WINDOW_SECONDS)
      invalid(`${what}: a window of 1 s to 31 days`);
    return [n, window] as const;
  };
  const [quota, quotaWindowSeconds] = pair(l.quota, l.quotaWindowSeconds, 'quota');
  const [burst, burstWindowSeconds] = pair(l.burst, l.burstWindowSeconds, 'burst');
  if (quota === null && burst === null) invalid('a limit needs a quota or a burst');
  return { quota, quotaWindowSeconds, burst, burstWindowSeconds };
}

/** Parses `1000/24h`, `10/1s`, `500/30m`, `100` (default window) into a count and seconds. */
export function parseRate(
  text: string,
  defaultWindowSeconds: number,
): { count: number; windowSeconds: number } {
  const m = /^(\d{1,10})(?:\/(\d{1,6})?(s|m|h|d))?$/.exec(text.trim());
  if (!m) invalid(`"${text.slice(0, 30)}" is not COUNT[/WINDOW] (e.g. 1000/24h, 10/1s)`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(m[3] ?? 's') as 's'];
  const windowSeconds = m[3] ? Number(m[2] ?? '1') * unit : defaultWindowSeconds;
  return { count: Number(m[1]), windowSeconds };
}

/** A route whose methods accept `jwt` must name the audience its tokens are for (issue 11 §2). */
export function checkJwtAudience(auth: Record<string, readonly string[]>, audience: string | null): void {
  const jwtMethods = Object.entries(auth)
    .filter(([, modes]) => modes.includes('jwt'))
    .map(([m]) => m);
  if (jwtMethods.length > 0 && !audience)
    invalid(
      `auth ${jwtMethods.join(', ')}: jwt needs the route's audience (--audience, the resource server's identifier)`,
    );
}
