/**
 * Who may read the operator endpoints — `/metrics` and the API reference (`/docs`, `/openapi.json`)
 * — per the settings `metricsAccess` and `apiDocsAccess` (issue 8): `public` (anyone who reaches the
 * port; the default, for a listen address that is not exposed), `token` (a valid admin API token;
 * `/metrics` needs the `metrics:read` ability) or `off` (404, as if the route did not exist). `/metrics`
 * can also move to its own listen address (`metricsListen`), away from the public port.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasAbility, type Principal } from '../access/principal.ts';
import { AppError } from '../errors/app-error.ts';

export type OperatorAccess = 'public' | 'token' | 'off';

export interface OperatorAccessDeps {
  /** The access mode now (read on every request: a runtime setting may change it). */
  mode(): OperatorAccess;
  /** Verifies an admin API token; throws AppError('invalid_token') when it is not valid. */
  authenticate(secret: string): Promise<Principal>;
  /** The ability a token needs (undefined: any valid admin token). */
  ability?: string;
}

/** An onRequest hook enforcing the access mode of one operator endpoint. */
export function operatorAccessHook(deps: OperatorAccessDeps) {
  return async function checkOperatorAccess(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const mode = deps.mode();
    if (mode === 'public') return;
    if (mode === 'off') throw new AppError('not_found', { detail: 'this endpoint is turned off' });
    const m = /^Bearer\s+(\S{1,512})$/i.exec(request.headers.authorization ?? '');
    if (!m) {
      reply.header('www-authenticate', 'Bearer realm="gatekeeper"');
      throw new AppError('unauthenticated', { detail: 'send Authorization: Bearer <admin API token>' });
    }
    const principal = await deps.authenticate(m[1]!).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 401)
        reply.header('www-authenticate', 'Bearer realm="gatekeeper", error="invalid_token"');
      throw err;
    });
    if (deps.ability && !hasAbility(principal.abilities, deps.ability))
      throw new AppError('forbidden', { detail: `needs the ${deps.ability} ability` });
  };
}
