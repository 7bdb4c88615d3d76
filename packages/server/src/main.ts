/**
 * Starts the server: load configuration, build the runtime and the app, listen, and shut down
 * gracefully on SIGTERM/SIGINT — stop accepting, drain in-flight requests, flush the audit queue,
 * close pools. Start-up failures caused by configuration print one line and exit non-zero.
 */
import { buildApp } from './app.ts';
import {
  effectiveDatabaseUrl,
  insecureDefaultWarnings,
  isEmbedded,
  type LoadedConfig,
} from './config/load.ts';
import { createLogger } from './logger.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { createServices } from './services.ts';
import { acquireInstanceLock } from './storage/backup.ts';
import { sqlitePathOf } from './storage/database.ts';

export interface ServeResult {
  url: string;
  stop(): Promise<void>;
}

export async function serve(loaded: LoadedConfig): Promise<ServeResult> {
  const started = performance.now();
  const logger = createLogger(loaded.config.logLevel);
  for (const line of insecureDefaultWarnings(loaded.config)) logger.warn(line);
  // embedded mode: one server per SQLite file, and `gatekeeper restore` refuses while it runs
  const config0 = loaded.config;
  const lock = isEmbedded(config0)
    ? await acquireInstanceLock(sqlitePathOf(effectiveDatabaseUrl(config0)))
    : undefined;
  let runtime: Runtime;
  try {
    runtime = await createRuntime(loaded, { logger });
  } catch (err) {
    await lock?.release();
    throw err;
  }
  const services = createServices(runtime);
  await services.start();
  const app = await buildApp(runtime, services);
  // first start: a one-time link for the first administrator (to the console, never to the JSON logs)
  const setupLink = await services.setup.issueLinkIfNeeded();
  if (setupLink) {
    process.stderr.write(
      `\nNo administrator yet. Open this one-time link (valid 24 h) to create one:\n\n  ${setupLink}\n\nor run: gatekeeper admin create --email you@example.com --password-stdin\n\n`,
    );
  }
  const config = runtime.settings.current();
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info(
    {
      address,
      database: runtime.database.location,
      state: runtime.state.kind,
      startupMs: Math.round(performance.now() - started),
    },
    'gatekeeper ready',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const timer = setTimeout(() => {
        logger.error('shutdown timed out; closing connections');
        app.server.closeAllConnections();
      }, config.shutdownTimeoutSeconds * 1000);
      timer.unref();
      await app.close();
      await services.stop();
      await runtime.close();
      await lock?.release();
      clearTimeout(timer);
      logger.info('stopped');
      logger.flush();
    })();
    return stopping;
  };
  return { url: address, stop };
}

/** Installs SIGTERM/SIGINT handlers that stop the server once. */
export function stopOnSignals(server: ServeResult): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
