/**
 * Admin routes that link two resources of a tenant (a user in a group, a group in a group, a role to
 * a user or a group): `PUT` creates the link (idempotent), `DELETE` removes it (404 when absent);
 * both answer 204. One definition so every link behaves and is documented the same way.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type TSchema } from 'typebox';
import type { ActionContext } from '../events/event-bus.ts';
import { actionContextOf, tenantOf } from './admin-guard.ts';

type Params = Record<string, string>;

export interface LinkRoutes {
  /** Path with `:tenant` and both ids, e.g. `/tenants/:tenant/groups/:groupId/roles/:roleId`. */
  path: string;
  ability: string;
  tags: string[];
  params: TSchema;
  summaries: { add: string; remove: string };
  add(tenantId: string, params: Params, ctx: ActionContext): Promise<unknown>;
  remove(tenantId: string, params: Params, ctx: ActionContext): Promise<unknown>;
}

/** Registers the `PUT` and `DELETE` of one kind of link. */
export function registerLinkRoutes(app: FastifyInstance, link: LinkRoutes): void {
  const schema = (summary: string) => ({
    tags: link.tags,
    summary,
    params: link.params,
    response: { 204: Type.Null() },
  });
  const handle = (op: LinkRoutes['add']) => async (request: FastifyRequest, reply: FastifyReply) => {
    await op(tenantOf(request).id, request.params as Params, actionContextOf(request));
    return reply.code(204).send();
  };
  app.put(
    link.path,
    { config: { ability: link.ability }, schema: schema(link.summaries.add) },
    handle(link.add),
  );
  app.delete(
    link.path,
    { config: { ability: link.ability }, schema: schema(link.summaries.remove) },
    handle(link.remove),
  );
}
