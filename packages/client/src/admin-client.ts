/**
 * The admin API client: one `request()` that speaks the server's JSON conventions — bearer
 * credential, ETags and If-Match (RFC 9110 §13.1.1), RFC 9457 problem documents turned into
 * `GatekeeperApiError`, a timeout on every call — plus `paginate()` over cursor pages and typed
 * helpers per resource (`admin-resources.ts`). No dependencies: it runs on the global `fetch`.
 *
 * It enforces: the credential goes only to the configured origin (redirects are refused rather than
 * followed) and never appears in an error message; a call that gets no answer within `timeoutMs`
 * fails with a `GatekeeperRequestError` whose reason is `timeout`.
 */
import { type AdminResources, createAdminResources } from './admin-resources.ts';
import type { Page } from './admin-types.ts';
import { problemErrorOf } from './problem-error.ts';
import { GatekeeperRequestError, type RequestFailure } from './request-error.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query-string values; `undefined` and `null` leave the parameter out. */
export type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = { readonly [name: string]: QueryValue };

export interface AdminClientOptions {
  /** The server's public URL, e.g. `https://id.example.com` (a path prefix is kept). */
  baseUrl: string | URL;
  /** An admin API token (`gk_adm_…`), sent as `Authorization: Bearer`. */
  token: string;
  /** The fetch to use; defaults to the global one. */
  fetch?: typeof fetch;
  /** How long one call (response and body) may take, in milliseconds. Default 30 000. */
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: QueryParams;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * Only apply the change if the resource is still at this version: an ETag as received (`"3"`) or a
   * resource's `version` number. A stale one fails with 412 `precondition_failed`.
   */
  ifMatch?: string | number;
  /** Aborts the call early (the reason is then `aborted`). */
  signal?: AbortSignal;
  /** Sent as `x-request-id`, which the server echoes, logs and records in the audit log. */
  requestId?: string;
}

export interface ApiResponse<T> {
  /** The parsed JSON body; `undefined` for an empty one (204). */
  data: T;
  /** The `ETag` header, e.g. `"3"`, or null. */
  etag: string | null;
  status: number;
}

export interface AdminClient extends AdminResources {
  /**
   * Calls `method path` (a path of `/openapi.json`, e.g. `/api/v1/tenants`). Resolves with the body
   * of a 2xx answer; throws `GatekeeperApiError` for an error answer and `GatekeeperRequestError`
   * when no usable answer came.
   */
  request<T = unknown>(method: HttpMethod, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Every item of a cursor-paginated list, fetching the next page as iteration reaches it. */
  paginate<T>(path: string, query?: QueryParams): AsyncIterable<T>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** setTimeout's limit; AbortSignal.timeout silently fires at once above it. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** Visible ASCII: what a bearer credential can hold. fetch would echo an invalid header value. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

function parseBaseUrl(value: string | URL): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('createAdminClient: baseUrl is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('createAdminClient: baseUrl must be an http or https URL');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkOptions(options: AdminClientOptions): number {
  if (typeof options.token !== 'string' || !TOKEN_PATTERN.test(options.token)) {
    // the message must not quote the token
    throw new TypeError('createAdminClient: token must be a non-empty string of visible ASCII characters');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new TypeError(`createAdminClient: timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return timeoutMs;
}

function ifMatchHeader(value: string | number): string {
  return typeof value === 'number' ? `"${value}"` : value;
}

function reasonText(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates an admin API client.
 *
 * @example
 * const admin = createAdminClient({ baseUrl: 'https://id.example.com', token: process.env.GK_TOKEN! });
 * const tenant = await admin.tenants.create({ slug: 'acme', displayName: 'Acme' });
 * for await (const user of admin.users.list('acme')) console.log(user.username);
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const timeoutMs = checkOptions(options);
  const root = parseBaseUrl(options.baseUrl);
  const origin = new URL(root).origin;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const authorization = `Bearer ${options.token}`;
  // belt and braces for a custom fetch that quotes headers; a token this short is no real credential
  // and redacting it would mangle the message
  const redact = (text: string) =>
    options.token.length >= 8 ? text.replaceAll(options.token, '[redacted]') : text;

  async function request<T>(
    method: HttpMethod,
    path: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    if (!path.startsWith('/')) throw new TypeError(`request: path must start with "/" (got ${path})`);
    const url = new URL(root + path);
    if (url.origin !== origin) throw new TypeError('request: path must stay on the configured server');
    for (const [name, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.append(name, String(value));
    }
    const where = `${url.origin}${url.pathname}`;
    const fail = (reason: RequestFailure, message: string, cause?: unknown) =>
      new GatekeeperRequestError(reason, method, where, redact(message), cause);

    const headers: Record<string, string> = {
      authorization,
      accept: 'application/json, application/problem+json',
    };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.ifMatch !== undefined) headers['if-match'] = ifMatchHeader(opts.ifMatch);
    if (opts.requestId !== undefined) headers['x-request-id'] = opts.requestId;

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    const failed = (err: unknown) => {
      if (timeout.aborted) return fail('timeout', `timed out after ${timeoutMs} ms`, err);
      if (opts.signal?.aborted) return fail('aborted', 'was aborted', err);
      return fail('network', `failed: ${reasonText(err)}`, err);
    };

    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        redirect: 'manual',
        signal,
      });
      text = await response.text();
    } catch (err) {
      throw failed(err);
    }

    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      const location = response.headers.get('location');
      throw fail(
        'invalid_response',
        `was redirected${location ? ` to ${location}` : ''}; redirects are not followed, so the token ` +
          'stays with baseUrl (check baseUrl)',
      );
    }
    const isJson = JSON_TYPE.test(response.headers.get('content-type') ?? '');
    if (!response.ok) {
      let body: unknown;
      if (isJson) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      const requestId = response.headers.get('x-request-id') ?? undefined;
      throw problemErrorOf(response.status, response.statusText, body, requestId);
    }

    let data: unknown;
    if (text !== '') {
      if (!isJson) throw fail('invalid_response', `answered ${response.status} with a body that is not JSON`);
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw fail('invalid_response', `answered ${response.status} with malformed JSON`, err);
      }
    }
    return { data: data as T, etag: response.headers.get('etag'), status: response.status };
  }

  async function* paginate<T>(path: string, query: QueryParams = {}): AsyncGenerator<T, void, undefined> {
    let cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
    do {
      const { data } = await request<Page<T> | undefined>('GET', path, { query: { ...query, cursor } });
      const invalid = (message: string) =>
        new GatekeeperRequestError('invalid_response', 'GET', root + path, message);
      if (!Array.isArray(data?.items)) throw invalid('did not answer with a page ({ items, nextCursor })');
      yield* data.items;
      const next = data.nextCursor ?? undefined;
      if (next !== undefined && next === cursor) {
        throw invalid('returned the same cursor twice; stopping instead of looping');
      }
      cursor = next;
    } while (cursor !== undefined);
  }

  return { request, paginate, ...createAdminResources({ request, paginate }) };
}
