/**
 * matchRoute: the tenant's route for the original host and path (policy/compile.ts: exact host over
 * wildcard over `*`, then the most specific path) and the auth modes its method requires. No route,
 * or a method the route does not list, is a denial: nothing is allowed by default.
 */
import { deny } from '../reasons.ts';
import type { AuthzStep } from './step.ts';

export const matchRoute: AuthzStep = {
  name: 'matchRoute',
  async run(ctx, deps) {
    const original = ctx.original!;
    const policy = await deps.policy(ctx.tenant!.id);
    ctx.policy = policy;
    const match = policy.match(original.hostName, original.parsed.segments);
    if (!match)
      return deny('no_route', `no route for ${original.hostName}${original.parsed.rawPath.slice(0, 120)}`);
    ctx.match = match;
    const modes = policy.modesFor(match.route, original.method);
    if (!modes) return deny('method_not_allowed', `route ${match.route.id} does not list ${original.method}`);
    ctx.modes = modes;
    if (ctx.trace)
      ctx.note(
        `route ${match.route.id} (${match.route.host.text} ${match.route.path.text}); ${original.method} needs ${modes.join(' or ')}`,
      );
    return undefined;
  },
};
