/**
 * Starts the server: load configuration, take the listen address, build the runtime and the app,
 * listen, and shut down gracefully on SIGTERM/SIGINT — stop accepting, drain in-flight requests,
 * flush the audit queue, close pools. The listen address is taken first, so a taken port stops
 * start-up before anything is written. Any start-up failure closes everything opened so far (the
 * reserved socket, the instance lock, pools, Redis, timers) before it is reported, so the process
 * exits at once; failures caused by configuration print one line naming the setting.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type App, buildApp } from './app.ts';
import { cliCommand } from './config/cli-command.ts';
import {
  effectiveDatabaseUrl,
  insecureDefaultWarnings,
  isEmbedded,
  type LoadedConfig,
  settingNameOf,
  withBoundPort,
} from './config/load.ts';
import { ConfigError } from './errors/app-error.ts';
import { unavailableDependency } from './errors/dependency.ts';
import { listenError, reserveListenAddress } from './http/listen-address.ts';
import { createLogger } from './logger.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { createServices, type Services } from './services.ts';
import { releaseStartupMemory } from './startup-memory.ts';
import { acquireInstanceLock, type InstanceLock } from './storage/backup.ts';
import { diskFull, sqlitePathOf } from './storage/database.ts';

export interface ServeResult {
  url: string;
  stop(): Promise<void>;
}

export async function serve(configured: LoadedConfig): Promise<ServeResult> {
  const started = performance.now();
  const logger = createLogger(configured.config.logLevel);
  const { host } = configured.config;
  const names = { host: settingNameOf(configured, 'host'), port: settingNameOf(configured, 'port') };

  // 1. the listen address, before anything is written (port 0: the system picks one, and a derived
  //    public URL names it)
  const reservation = await reserveListenAddress(host, configured.config.port, names);
  const loaded = withBoundPort(configured, reservation.port);
  for (const line of insecureDefaultWarnings(loaded.config, loaded.sources.publicUrl === 'default'))
    logger.warn(line);

  // what start-up has opened, closed in reverse order when a later step fails
  const opened: (() => Promise<unknown>)[] = [() => reservation.release()];
  const closeOpened = async () => {
    for (const close of opened.reverse())
      await close().catch((err: unknown) => logger.error({ err }, 'close after failed start-up'));
  };
  try {
    // 2. embedded mode: one server per SQLite file, and `gatekeeper restore` refuses while it runs
    let lock: InstanceLock | undefined;
    if (isEmbedded(loaded.config)) {
      const dbPath = sqlitePathOf(effectiveDatabaseUrl(loaded.config));
      for (const line of looseDataDirWarnings([loaded.config.dataDir, dirname(dbPath)])) logger.warn(line);
      const taken = await acquireInstanceLock(sqlitePathOf(effectiveDatabaseUrl(loaded.config)));
      opened.push(() => taken.release());
      lock = taken;
    }
    // 3. connections, keys, migrations, services, the app
    const runtime = await createRuntime(loaded, { logger });
    opened.push(() => runtime.close());
    const services = createServices(runtime);
    opened.push(() => services.stop());
    await services.start();
    const app = await buildApp(runtime, services);
    opened.push(() => app.close());
    // first start: a one-time link for the first administrator, superseding any earlier one (also
    // one another instance just printed): at most one link is valid at any moment
    const setupLink = await services.setup.issueLinkIfNeeded();

    // 4. listen where the reservation was
    await reservation.release();
    let address: string;
    try {
      address = await app.listen({ host, port: reservation.port });
    } catch (err) {
      throw listenError(err, host, reservation.port, names) ?? err;
    }
    if (setupLink) {
      // to the console, never to the JSON logs
      process.stderr.write(
        `\nNo administrator yet. Open this one-time link (valid 24 h; it replaces any link printed before) to create one:\n\n  ${setupLink}\n\nor run: ${cliCommand({ dataDir: loaded.config.dataDir, embedded: isEmbedded(loaded.config), ...(loaded.file ? { configFile: loaded.file } : {}) })} admin create --email you@example.com --password-stdin\n\n`,
      );
    }
    logger.info(
      {
        address,
        database: runtime.database.location,
        state: runtime.state.kind,
        startupMs: Math.round(performance.now() - started),
      },
      'gatekeeper ready',
    );
    releaseStartupMemory(1500, (err) => logger.debug({ err }, 'could not release start-up memory'));
    return { url: address, stop: stopper({ app, services, runtime, lock, logger }) };
  } catch (err) {
    await closeOpened();
    logger.flush();
    throw startUpOnFullDisk(loaded, err);
  }
}

/**
 * One warning line per existing data directory that other local users can read or enter (issue 6
 * §3): new ones are created 0700, but one made by hand or by an older version keeps its mode.
 */
function looseDataDirWarnings(dirs: readonly string[]): string[] {
  const lines: string[] = [];
  for (const dir of new Set(dirs.map((d) => resolve(d)))) {
    let mode: number;
    try {
      mode = statSync(dir).mode & 0o777;
    } catch {
      continue; // created 0700 below
    }
    if ((mode & 0o077) !== 0)
      lines.push(
        `the data directory ${dir} has mode ${mode.toString(8).padStart(4, '0')}: other local users can reach the database; restrict it with: chmod 700 ${dir}`,
      );
  }
  return lines;
}

/** A start-up that failed because the disk is full says so in one line naming the data directory. */
function startUpOnFullDisk(loaded: LoadedConfig, err: unknown): unknown {
  if (unavailableDependency(err) !== 'disk' || err instanceof ConfigError) return err;
  if (isEmbedded(loaded.config)) return diskFull(sqlitePathOf(effectiveDatabaseUrl(loaded.config)), err);
  const reason = err instanceof Error ? err.message : String(err);
  return new ConfigError('GATEKEEPER_DATABASE_URL', `the database server's disk is full (${reason})`);
}

/** Graceful shutdown, once: stop accepting, drain (bounded), stop services, close the runtime. */
function stopper(parts: {
  app: App;
  services: Services;
  runtime: Runtime;
  lock: InstanceLock | undefined;
  logger: Logger;
}): () => Promise<void> {
  const { app, services, runtime, lock, logger } = parts;
  const { shutdownTimeoutSeconds } = runtime.settings.current();
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const timer = setTimeout(() => {
        logger.error('shutdown timed out; closing connections');
        app.server.closeAllConnections();
      }, shutdownTimeoutSeconds * 1000);
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
}

/**
 * Stops the server on SIGTERM or SIGINT and exits 0 (1 when stopping failed). A repeated signal —
 * a supervisor resending it, or Ctrl-C reaching both the launcher and the server — joins the
 * shutdown under way instead of killing the process mid-drain; the drain is bounded by
 * GATEKEEPER_SHUTDOWN_TIMEOUT_SECONDS.
 */
export function stopOnSignals(server: ServeResult): void {
  const stop = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop);
}
