/**
 * Builds the infrastructure one Gatekeeper process needs — database (migrated), shared state, master
 * keys, event bus, runtime settings, audit log — in the order that keeps a bad configuration from
 * writing anything: pure validation first, then connections, then the key file and migrations.
 * Used by the HTTP server (`app.ts`) and by every CLI command, so both run the same services.
 */
import type { Logger } from 'pino';
import { type CacheMetrics, type ChangeFeed, createCacheMetrics, createChangeFeed } from './cache/index.ts';
import { createFileAnchor } from './capabilities/audit/anchors.ts';
import { type AuditLog, createAuditLog } from './capabilities/audit/index.ts';
import { createSettingsService, type SettingsService } from './capabilities/settings/service.ts';
import { createSettingsStore } from './capabilities/settings/store.ts';
import { effectiveDatabaseUrl, isEmbedded, type LoadedConfig } from './config/load.ts';
import type { Keyring } from './crypto/fernet.ts';
import { checkMasterKeys, loadMasterKeys } from './crypto/master-keys.ts';
import type { EncryptedColumn } from './crypto/rewrap.ts';
import { ConfigError } from './errors/app-error.ts';
import { EventBus } from './events/event-bus.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { createSharedState, type SharedState } from './state/index.ts';
import { type Database, openDatabase } from './storage/database.ts';
import { migrations } from './storage/migrations/index.ts';
import { migrate, migrationStatus } from './storage/migrator.ts';

export interface Runtime {
  readonly loaded: LoadedConfig;
  readonly settings: SettingsService;
  readonly database: Database;
  readonly state: SharedState;
  readonly keyring: Keyring;
  readonly bus: EventBus;
  readonly audit: AuditLog;
  /** The durable change feed every cache is invalidated through. */
  readonly changes: ChangeFeed;
  /** This process's Prometheus registry and the caches' counters on it. */
  readonly metrics: Metrics;
  readonly cacheMetrics: CacheMetrics;
  readonly role: RuntimeRole;
  readonly logger: Logger;
  /** Every column holding a Fernet token, for `keys rewrap`. */
  readonly encryptedColumns: readonly EncryptedColumn[];
  close(): Promise<void>;
}

/**
 * What the process is: a `server` follows the change feed, polls the audit outbox and signs
 * checkpoints; a `cli` command writes (its changes reach servers through the feed) and chains its own
 * audit events when it closes; `read-only` (`audit verify`, listings) writes nothing at all.
 */
export type RuntimeRole = 'server' | 'cli' | 'read-only';

export interface RuntimeOptions {
  logger: Logger;
  /** Default `server`. */
  role?: RuntimeRole;
  /** Apply pending migrations (default true). `false` for read-only commands. */
  migrate?: boolean;
  /** Receives one line per insecure default or notable start-up fact. */
  warn?: (line: string) => void;
}

/** Every encrypted column in the schema. Capabilities append theirs here. */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'settings', key: 'key', column: 'value', only: { column: 'encrypted', equals: 1 } },
  { table: 'gateway_hmac_secrets', key: 'id', column: 'secret' },
  { table: 'oidc_signing_keys', key: 'id', column: 'private_jwk' },
];

/** How often a server checkpoints (and truncates) the SQLite WAL. */
const WAL_CHECKPOINT_INTERVAL_MS = 60_000;

/**
 * Logs connection errors of one dependency at most once per 5 s (with how many were not logged): an
 * outage must show in the log without one line per reconnect attempt or per refused command.
 */
function throttledLog(logger: Logger, msg: string): (err: unknown) => void {
  let last = 0;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < 5000) {
      suppressed++;
      return;
    }
    logger.error({ err, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
    last = now;
    suppressed = 0;
  };
}

export async function createRuntime(loaded: LoadedConfig, options: RuntimeOptions): Promise<Runtime> {
  const { config } = loaded;
  const { logger } = options;
  const role = options.role ?? 'server';
  const warn = options.warn ?? ((line: string) => logger.warn(line));
  const embedded = isEmbedded(config);

  // 1. pure checks: nothing is written before these pass
  if (config.masterKeys) checkMasterKeys(config.masterKeys);

  // 2. connections (their errors after start-up are outages the requests report; logged at most
  //    once per dependency every few seconds)
  const state = await createSharedState({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    onError: throttledLog(logger, 'shared state error'),
  });
  const closers: (() => Promise<void>)[] = [() => state.close()];
  const closeAll = async () => {
    for (const c of closers.reverse())
      await c().catch((err: unknown) => logger.error({ err }, 'close failed'));
  };
  let database: Database;
  try {
    database = await openDatabase(effectiveDatabaseUrl(config), {
      poolSize: config.databasePoolSize,
      onError: throttledLog(logger, 'database connection error'),
    });
    closers.push(() => database.close());

    // 3. the key file (embedded only) and migrations
    const { keyring } = await loadMasterKeys({
      configured: config.masterKeys || undefined,
      dataDir: config.dataDir,
      embedded,
      warn,
    });
    if (options.migrate !== false) {
      const applied = await migrate(database, migrations);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    } else if ((await migrationStatus(database, migrations)).pending.length > 0) {
      throw new ConfigError(
        'GATEKEEPER_DATABASE_URL',
        'the database is not migrated; run `gatekeeper migrate` first',
      );
    }

    const bus = new EventBus((err, event) =>
      logger.error({ err, event: event.type }, 'event subscriber failed'),
    );
    const metrics = createMetrics();
    const feedErrors = new Map<string, (err: unknown) => void>();
    const changes = createChangeFeed({
      database,
      state,
      // a poll every 250 ms during an outage: one line per kind of failure every few seconds
      onError: (err, what) => {
        let log = feedErrors.get(what);
        if (!log) {
          log = throttledLog(logger, `${what} failed`);
          feedErrors.set(what, log);
        }
        log(err);
      },
    });
    if (role === 'server') {
      await changes.start();
      closers.push(() => changes.stop());
    }
    const settings = createSettingsService({
      base: loaded,
      store: createSettingsStore(database),
      keyring,
      database,
      changes,
      bus,
    });
    await settings.start();
    closers.push(() => settings.stop());

    // The audit log writes its own lines at info whatever the log level (unless logging is off
    // altogether): every checkpoint must reach the log stream, the outside anchor, also from a
    // server started at `warn`.
    const auditLogger = logger.child({ component: 'audit' });
    if (logger.level !== 'silent') auditLogger.level = 'info';
    const audit = createAuditLog({
      database,
      bus,
      checkpointKeys: keyring.deriveKeys('audit-checkpoint'),
      logger: auditLogger,
      writeCheckpoints: role === 'server',
      pollIntervalMs: role === 'server' ? 1000 : 0,
      anchors: config.auditAnchorFile ? [createFileAnchor(config.auditAnchorFile)] : [],
      checkpointEvery: config.auditCheckpointEvery,
      checkpointIntervalMs: config.auditCheckpointIntervalSeconds * 1000,
      retentionDays: () => settings.get('auditRetentionDays'),
    });
    // read-only processes never drain the outbox: they stop listening without writing anything
    closers.push(() => (role === 'read-only' ? Promise.resolve() : audit.close()));

    if (role === 'server') {
      // retention: prune once shortly after start, then hourly (safe with several instances: a prune
      // runs under the audit chain's lock and the second finds nothing left to prune); the change
      // feed keeps ten minutes of history
      const prune = () =>
        audit.prune().catch((err: unknown) => logger.error({ err }, 'audit retention prune failed'));
      const pruneFeed = () =>
        changes.prune().catch((err: unknown) => logger.warn({ err }, 'change feed prune failed'));
      const firstPrune = setTimeout(prune, 60_000);
      const prunes = setInterval(prune, 3_600_000);
      const feedPrunes = setInterval(pruneFeed, 60_000);
      // SQLite: besides wal_autocheckpoint, a TRUNCATE checkpoint gives the WAL's space back
      const walCheckpoints = setInterval(() => {
        database.checkpoint().catch((err: unknown) => logger.warn({ err }, 'WAL checkpoint failed'));
      }, WAL_CHECKPOINT_INTERVAL_MS);
      for (const t of [firstPrune, prunes, feedPrunes, walCheckpoints]) t.unref();
      closers.push(async () => {
        clearTimeout(firstPrune);
        clearInterval(prunes);
        clearInterval(feedPrunes);
        clearInterval(walCheckpoints);
      });
    }

    return {
      loaded,
      settings,
      database,
      state,
      keyring,
      bus,
      audit,
      changes,
      metrics,
      cacheMetrics: createCacheMetrics(metrics.registry),
      role,
      logger,
      encryptedColumns: ENCRYPTED_COLUMNS,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
