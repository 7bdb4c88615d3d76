/**
 * The setup capability's public surface: the one-time link that creates the first administrator
 * (issued at first start, single-use, one valid link at a time across instances) and its page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { SharedState } from '../../state/state.ts';
import { registerSetupRoutes } from './routes.ts';
import type { SetupService } from './service.ts';

export { type AdminDirectory, createSetupService, type SetupService } from './service.ts';

/**
 * `GET/POST /setup`: a hosted page of its own (form body parser, strict CSP), outside the admin API.
 * `cliCommand` is how the page names the `gatekeeper` command (see config/cli-command.ts).
 */
export const setupPlugin: FastifyPluginAsync<{
  setup: SetupService;
  state: SharedState;
  cliCommand?: string;
}> = async (app, deps) => {
  await registerSetupRoutes(app, deps);
};
