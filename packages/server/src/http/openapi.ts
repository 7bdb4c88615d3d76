/**
 * OpenAPI 3.1 generated from the route schemas (never written by hand), served at `/openapi.json`,
 * with a browsable API reference at `/docs`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ProblemSchema } from './schema-kit.ts';

export async function registerOpenApi(
  app: FastifyInstance,
  publicUrl: string,
  version: string,
): Promise<void> {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    // each admin operation documents the ability it requires as its security requirement's role
    // (OpenAPI 3.1: for non-OAuth schemes the array lists the roles required)
    transform: ({ schema, url, route }) => {
      const ability = (route.config as { ability?: string } | undefined)?.ability;
      return { schema: ability ? { ...schema, security: [{ adminToken: [ability] }] } : schema, url };
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatekeeper API',
        version,
        description:
          'Identity and authorization service. Errors are RFC 9457 problem documents with a stable `code`.',
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
