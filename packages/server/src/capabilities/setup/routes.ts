/** `GET /setup` (the form) and `POST /setup` (create the first administrator), rate limited per IP. */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import type { SharedState } from '../../state/state.ts';
import { PAGE_CSP, setupDonePage, setupFormPage, setupInvalidPage } from './page.ts';
import type { SetupService } from './service.ts';

const Body = Obj({
  token: Str({ max: 128 }),
  email: Str({ max: 254 }),
  password: Str({ max: 1024 }),
  name: Type.Optional(Str({ min: 0, max: 200 })),
});

export async function registerSetupRoutes(
  app: FastifyInstance,
  deps: { setup: SetupService; state: SharedState; cliCommand?: string },
) {
  await app.register(formbody, { bodyLimit: 16_384 });
  const limiter = deps.state.createRateLimiter({ name: 'setup', points: 10, durationSec: 60 });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', PAGE_CSP);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });

  app.get(
    '/setup',
    { schema: { hide: true, querystring: Obj({ token: Type.Optional(Str({ max: 128 })) }) } },
    async (request, reply) => {
      const token = (request.query as { token?: string }).token ?? '';
      const ok = token !== '' && (await deps.setup.checkLink(token));
      return reply
        .type('text/html')
        .code(ok ? 200 : 404)
        .send(ok ? setupFormPage(token) : setupInvalidPage());
    },
  );

  app.post('/setup', { schema: { hide: true, body: Body } }, async (request, reply) => {
    const limit = await limiter.consume(request.ip);
    if (!limit.allowed) throw new AppError('rate_limited');
    const body = request.body as Type.Static<typeof Body>;
    try {
      await deps.setup.complete(
        body.token,
        { email: body.email, password: body.password, ...(body.name ? { name: body.name } : {}) },
        { actor: 'setup', requestId: String(request.id) },
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation_failed') {
        return reply.type('text/html').code(400).send(setupFormPage(body.token, err.detail));
      }
      if (err instanceof AppError && (err.code === 'invalid_token' || err.code === 'conflict')) {
        return reply.type('text/html').code(410).send(setupInvalidPage());
      }
      throw err;
    }
    return reply.type('text/html').send(setupDonePage(body.email, deps.cliCommand));
  });
}
