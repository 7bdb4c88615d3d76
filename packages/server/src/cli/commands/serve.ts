/** `gatekeeper serve`: run the HTTP server until SIGTERM/SIGINT. */
import type { Command } from 'commander';
import { serve, stopOnSignals } from '../../main.ts';
import { loadCliConfig } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the Gatekeeper server (migrations run first)')
    .action(async (_opts, cmd: Command) => {
      const server = await serve(loadCliConfig(cmd));
      stopOnSignals(server);
    });
}
