/**
 * OpenAPI 3.1 generated from the route schemas (never written by hand), served at `/openapi.json`,
 * with a browsable API reference at `/docs`. The transform below adds what every admin operation
 * shares, so each route declares only its own schemas:
 * - `security`: the ability the operation requires, as the role of its `adminToken` requirement
 *   (OpenAPI 3.1 §4.8.30: for non-OAuth schemes the array lists the roles required);
 * - the error responses the admin guard and the HTTP edge can send, as `application/problem+json`;
 * - the `If-Match` request header on PATCH and DELETE (optimistic concurrency, see http/etag.ts),
 *   evaluated on every one of them: a resource without an ETag only matches `*`.
 * Shared schemas keep their `$id` as their component name, so generated SDK types read well.
 *
 * Built on first use (issue 6 §9): a running server only records each route's options (and the
 * shared schemas of its context) as it is registered; the first `GET /openapi.json` or `/docs` loads
 * @fastify/swagger and the API reference page into a separate, never-listening Fastify instance, replays
 * the routes there (schemas only, no handlers) and answers from it. Start-up and idle memory do not
 * pay for the generator, YAML or the reference page's static files.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { IF_MATCH_MAX } from './etag.ts';
import { type OperatorAccessDeps, operatorAccessHook } from './operator-access.ts';
import { ProblemSchema } from './schema-kit.ts';

type Json = Record<string, unknown>;

const PROBLEM = { $ref: 'Problem#' };
const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'The request does not match the schema (problem `validation_failed`, …)',
  '401': 'No or an invalid admin API token',
  '403': 'The token lacks the ability or belongs to another tenant',
  '404': 'No such resource in this tenant',
  '409': 'Conflicts with an existing resource',
  '412': 'If-Match names a stale version',
  '429': 'Rate limited',
};

/** Adds the shared admin error responses, each as application/problem+json. */
function withProblemResponses(response: Json | undefined, method: string): Json {
  const out: Json = { ...response };
  const codes = [
    '400',
    '401',
    '403',
    '404',
    ...(['PATCH', 'DELETE', 'PUT', 'POST'].includes(method) ? ['409'] : []),
  ];
  if (method === 'PATCH' || method === 'DELETE') codes.push('412');
  for (const code of codes) if (!(code in out)) out[code] = PROBLEM;
  for (const [code, value] of Object.entries(out)) {
    if (Number(code) >= 400 && (value as Json | undefined)?.$ref === 'Problem#') {
      out[code] = {
        description: ERROR_DESCRIPTIONS[code] ?? 'Error',
        content: { 'application/problem+json': { schema: PROBLEM } },
      };
    }
  }
  return out;
}

function withIfMatch(headers: Json | undefined, versioned: boolean): Json {
  const base = (headers ?? { type: 'object', properties: {} }) as { properties?: Json };
  return {
    ...base,
    type: 'object',
    properties: {
      ...base.properties,
      'if-match': {
        type: 'string',
        maxLength: IF_MATCH_MAX,
        description: versioned
          ? 'Apply only if the resource still has this ETag (its version), else 412'
          : 'This resource has no ETag: only `*` matches; any other value is refused with 412',
      },
    },
  };
}

type RecordedRoute = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;

/** The documentation app: @fastify/swagger and @fastify/swagger-ui over the replayed routes. */
async function buildDocsApp(
  routes: readonly RecordedRoute[],
  schemas: ReadonlyMap<string, unknown>,
  publicUrl: string,
  version: string,
): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const docs = Fastify({ exposeHeadRoutes: false, routerOptions: { maxParamLength: 512 } });
  // the schemas are only documented here: nothing is validated or serialized with them
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of schemas.values()) docs.addSchema(schema);
  await docs.register(swagger, {
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const ability = (route.config as { ability?: string } | undefined)?.ability;
      if (!ability) return { schema, url };
      const method = String(Array.isArray(route.method) ? route.method[0] : route.method);
      const s = schema as Json;
      const documented: Json = {
        ...s,
        security: [{ adminToken: [ability] }],
        response: withProblemResponses(s.response as Json | undefined, method),
        ...(method === 'PATCH' || method === 'DELETE'
          ? { headers: withIfMatch(s.headers as Json | undefined, route.config?.etag === true) }
          : {}),
      };
      return { schema: documented as typeof schema, url };
    },
    transformObject: (document) =>
      enumsAsValues('openapiObject' in document ? document.openapiObject : document.swaggerObject) as Json,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatekeeper API',
        version,
        description:
          'Identity and authorization service. Errors are RFC 9457 problem documents with a stable `code`. ' +
          'Each admin operation names the ability it requires in its security requirement.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'Admin API token (gk_adm_…)' },
        },
      },
    },
  });
  await docs.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', defaultModelRendering: 'model' },
    theme: {
      title: 'Gatekeeper API reference',
      css: [{ filename: 'gatekeeper.css', content: REFERENCE_CSS }],
      favicon: [
        {
          filename: 'favicon.svg',
          rel: 'icon',
          type: 'image/svg+xml',
          sizes: 'any',
          content: GATEKEEPER_LOGO,
        },
      ],
    },
    logo: { type: 'image/svg+xml', content: GATEKEEPER_LOGO_WITH_NAME, href: '/docs', target: '_self' },
  });
  const answer = async () => ({});
  for (const route of routes)
    docs.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      config: route.config,
      handler: answer,
    });
  await docs.ready();
  return docs;
}

/** Response headers of the documentation app that are not passed on (the server sets its own). */
const HOP_HEADERS = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

/** Gatekeeper's mark: a shield with a keyhole, in the hosted pages' accent colour. */
const GATEKEEPER_LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#2f5bea" d="M16 2 4 6.5v8.7C4 22.6 9.1 28.6 16 30c6.9-1.4 12-7.4 12-14.8V6.5z"/><circle cx="16" cy="13.5" r="3.2" fill="#fff"/><path fill="#fff" d="M14.6 15.5h2.8l1 7h-4.8z"/></svg>',
);
const GATEKEEPER_LOGO_WITH_NAME = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 230 32" height="32"><path fill="#fff" d="M16 2 4 6.5v8.7C4 22.6 9.1 28.6 16 30c6.9-1.4 12-7.4 12-14.8V6.5z"/><circle cx="16" cy="13.5" r="3.2" fill="#2f5bea"/><path fill="#2f5bea" d="M14.6 15.5h2.8l1 7h-4.8z"/><text x="38" y="22" fill="#fff" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="18" font-weight="600">Gatekeeper API</text></svg>',
);
const REFERENCE_CSS = [
  '.swagger-ui .topbar{background:#1c2b5a;padding:8px 0}',
  '.swagger-ui .topbar .download-url-wrapper{display:none}',
  '.swagger-ui .info .title small{background:#2f5bea}',
].join('\n');

/**
 * `anyOf` of constants (how TypeBox writes a union of literals) as one `enum` of their values, so
 * the reference shows `active | suspended` rather than `string | (string | string …)`.
 */
function enumsAsValues(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(enumsAsValues);
  if (node === null || typeof node !== 'object') return node;
  const o = node as Json;
  const anyOf = o.anyOf as Json[] | undefined;
  const valueIn = (b: Json) => ('const' in b ? b.const : (b.enum as unknown[])[0]);
  const isValue = (b: Json) =>
    b && ('const' in b || (Array.isArray(b.enum) && b.enum.length === 1)) && Object.keys(b).length <= 3;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every(isValue)) {
    const types = [...new Set(anyOf.map((b) => b.type ?? typeof valueIn(b)))];
    const { anyOf: _dropped, ...rest } = o;
    return { ...rest, ...(types.length === 1 ? { type: types[0] } : {}), enum: anyOf.map(valueIn) };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) out[k] = enumsAsValues(v);
  return out;
}

export async function registerOpenApi(
  app: FastifyInstance,
  publicUrl: string,
  version: string,
  /** Who may read the reference (the `apiDocsAccess` setting); omitted: anyone. */
  access?: OperatorAccessDeps,
): Promise<void> {
  app.addSchema(ProblemSchema);
  const routes: RecordedRoute[] = [];
  const schemas = new Map<string, unknown>();
  app.addHook('onRoute', function record(this: FastifyInstance, route) {
    // Fastify's automatic HEAD routes and hidden routes (these included) are not documented
    if (route.method === 'HEAD' || (route.schema as { hide?: boolean } | undefined)?.hide) return;
    // the options object itself, read when the document is built, as @fastify/swagger does (Fastify
    // reuses it for the trailing-slash twin of a prefix's root route)
    routes.push(route);
    for (const [id, schema] of Object.entries(this.getSchemas()))
      if (!schemas.has(id)) schemas.set(id, schema);
  });
  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = () => {
    docs ??= buildDocsApp(routes, schemas, publicUrl, version);
    return docs;
  };
  app.addHook('onClose', async () => {
    if (docs) await (await docs).close();
  });

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (await docsApp()).inject({
      method: request.method as 'GET',
      url: request.url,
      headers: {
        ...(request.headers['if-none-match'] ? { 'if-none-match': request.headers['if-none-match'] } : {}),
        ...(request.headers.accept ? { accept: request.headers.accept } : {}),
      },
    });
    for (const [name, value] of Object.entries(answer.headers))
      if (!HOP_HEADERS.has(name) && value !== undefined) reply.header(name, value);
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };
  const guarded = { schema: { hide: true }, ...(access ? { onRequest: operatorAccessHook(access) } : {}) };
  app.get('/openapi.json', guarded, async () => (await docsApp()).swagger());
  app.get('/docs', guarded, forward);
  app.get('/docs/*', guarded, forward);
}
