/**
 * Shared plumbing for CLI commands: load configuration (honouring the global `--config`), build the
 * same runtime the server uses, run the command, close everything. Logs go to stderr at `warn` so
 * command output on stdout stays clean.
 */
import type { Command } from 'commander';
import pino from 'pino';
import {
  effectiveDatabaseUrl,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from '../config/load.ts';
import { checkMasterKeys } from '../crypto/master-keys.ts';
import { createLogger } from '../logger.ts';
import { createRuntime, type Runtime, type RuntimeRole } from '../runtime.ts';
import { type Database, openDatabase } from '../storage/database.ts';

/** The global options of the root command. */
export function globalOptions(cmd: Command): { config?: string } {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts<{ config?: string }>();
}

/** Loads configuration for a command: the global `--config`, then the command's own flags on top. */
export function loadCliConfig(cmd: Command, flags: LoadConfigOptions['flags'] = {}): LoadedConfig {
  const { config } = globalOptions(cmd);
  return loadConfig({ ...(config ? { configFile: config } : {}), flags });
}

/**
 * Builds a runtime for the command (role `cli`: its changes reach running servers through the change
 * feed, its audit events are chained when it closes, it signs no checkpoints), runs `fn`, and always
 * closes the runtime. Pass `role: 'read-only'` for commands that must write nothing.
 */
export async function withRuntime<T>(
  cmd: Command,
  fn: (runtime: Runtime) => Promise<T>,
  options: { migrate?: boolean; role?: RuntimeRole } = {},
): Promise<T> {
  const loaded = loadCliConfig(cmd);
  const logger = createLogger(
    process.env.GATEKEEPER_LOG_LEVEL ? loaded.config.logLevel : 'warn',
    pino.destination(2),
  );
  const runtime = await createRuntime(loaded, {
    logger,
    migrate: options.migrate ?? true,
    role: options.role ?? 'cli',
    warn: (line) => process.stderr.write(`warning: ${line}\n`),
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

/** Opens only the database (no keys, no state, no migrations): for `migrate`. */
export async function withDatabase<T>(cmd: Command, fn: (database: Database) => Promise<T>): Promise<T> {
  const { config } = loadCliConfig(cmd);
  if (config.masterKeys) checkMasterKeys(config.masterKeys);
  const database = await openDatabase(effectiveDatabaseUrl(config), { poolSize: 2 });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Writes a line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}
