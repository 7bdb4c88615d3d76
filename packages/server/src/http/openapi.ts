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
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { IF_MATCH_MAX } from './etag.ts';
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

export async function registerOpenApi(
  app: FastifyInstance,
  publicUrl: string,
  version: string,
): Promise<void> {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
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
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
