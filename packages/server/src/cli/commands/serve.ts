/**
 * `gatekeeper serve`: run the HTTP server until SIGTERM/SIGINT. `--host` and `--port` override
 * every other source for this run (flag > environment > config file > defaults); `--config FILE`
 * (a global option, accepted before or after `serve`) names the config file.
 */
import type { Command } from 'commander';
import { serve, stopOnSignals } from '../../main.ts';
import { loadCliConfig } from '../context.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the Gatekeeper server (migrations run first)')
    .option(
      '-H, --host <host>',
      'interface to listen on, over GATEKEEPER_HOST and the config file (default: 127.0.0.1)',
    )
    .option(
      '-p, --port <port>',
      'TCP port to listen on, 0 for any free one, over GATEKEEPER_PORT and the config file (default: 8080)',
    )
    .action(async (opts: { host?: string; port?: string }, cmd: Command) => {
      const server = await serve(loadCliConfig(cmd, { host: opts.host, port: opts.port }));
      stopOnSignals(server);
    });
}
