/**
 * checkPermission: the caller must hold a grant on the route for the method — as the client, as the
 * user (a personal token's owner, a session's user) or through one of the user's effective roles —
 * and every scope the grant requires (a personal token's scopes are already cut to what its owner
 * holds now). Public methods need no grant.
 */
import { hasAbility } from '../../../access/principal.ts';
import type { Grant } from '../policy/compile.ts';
import { ANY_METHOD } from '../policy/model.ts';
import { deny } from '../reasons.ts';
import type { AuthzStep } from './step.ts';

export const checkPermission: AuthzStep = {
  name: 'checkPermission',
  run(ctx) {
    if (ctx.anonymous) return undefined;
    const caller = ctx.caller!;
    const method = ctx.original!.method;
    const held = (g: Grant) =>
      (g.methods.has(method) || g.methods.has(ANY_METHOD)) &&
      ((g.subjectType === 'client' && caller.client?.id === g.subject) ||
        (g.subjectType === 'user' && caller.userId === g.subject) ||
        (g.subjectType === 'role' && caller.roles.includes(g.subject)));
    const grants = ctx.match!.route.grants.filter(held);
    if (grants.length === 0)
      return deny('not_permitted', `no grant for ${method} on route ${ctx.match!.route.id}`);
    const ok = grants.find((g) => g.scopes.every((s) => hasAbility(caller.scopes, s)));
    if (!ok) {
      const missing = grants[0]!.scopes.filter((s) => !hasAbility(caller.scopes, s));
      return deny('missing_scope', `missing scope ${missing.join(' ')}`);
    }
    if (ctx.trace) ctx.note(`grant ${ok.id} (${ok.subjectType}:${ok.subject})`);
    return undefined;
  },
};
