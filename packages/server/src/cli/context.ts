/**
 * Shared plumbing for CLI commands: load configuration (honouring the global `--config`), build the
 * same runtime the server uses, run the command, close everything. A command is quiet unless asked:
 * start-up notices (the development key file, …) and log lines at info appear only with the global
 * `--verbose` or when GATEKEEPER_LOG_LEVEL is set; warnings and errors always do. Log lines go to
 * stderr as one readable line each (`gatekeeper: warn: message key=value`), never as raw JSON, so a
 * command's report on stdout and its diagnostics on stderr never mix formats. Every change a
 * command makes is audited with the actor `cli:<OS user>@<host>`.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { DestinationStream } from 'pino';
import {
  effectiveDatabaseUrl,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from '../config/load.ts';
import { checkMasterKeys } from '../crypto/master-keys.ts';
import type { ActionContext } from '../events/event-bus.ts';
import { createLogger } from '../logger.ts';
import { createRuntime, type Runtime, type RuntimeRole } from '../runtime.ts';
import { type Database, openDatabase } from '../storage/database.ts';

/** The global options of the root command. */
export function globalOptions(cmd: Command): { config?: string; verbose?: boolean } {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts<{ config?: string; verbose?: boolean }>();
}

/** Who a CLI command acts as in the audit log: `cli:<OS user>@<host>` (`cli` alone when unknown). */
export function cliActor(): string {
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME ?? '';
  }
  const host = hostname();
  const clean = (v: string) => v.replace(/[^\w.-]/g, '').slice(0, 64);
  return user || host ? `cli:${clean(user) || 'unknown'}@${clean(host) || 'unknown'}` : 'cli';
}

/** The audit context of a CLI command's changes. */
export function cliContext(): ActionContext {
  return { actor: cliActor() };
}

/** True when the operator asked for notices and info logs (`--verbose` or GATEKEEPER_LOG_LEVEL). */
export function isVerbose(cmd: Command): boolean {
  return globalOptions(cmd).verbose === true || Boolean(process.env.GATEKEEPER_LOG_LEVEL);
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const OMITTED = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname', 'component']);

/** Renders one pino JSON line as `gatekeeper: <level>: <msg> key=value …`. */
export function formatLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `gatekeeper: ${json.trim()}`;
  }
  const level = LEVEL_NAMES[Number(entry.level)] ?? String(entry.level);
  const err = entry.err as { message?: string } | undefined;
  const fields = Object.entries(entry)
    .filter(([k]) => !OMITTED.has(k) && k !== 'err')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (err?.message) fields.unshift(`error=${JSON.stringify(err.message)}`);
  const component = typeof entry.component === 'string' ? `${entry.component}: ` : '';
  return `gatekeeper: ${level}: ${component}${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}`;
}

/** A pino destination writing readable lines to stderr, dropping lines below `minLevel`. */
function readableStderr(minLevel: number): DestinationStream {
  return {
    write(line: string) {
      for (const json of line.split('\n')) {
        if (json.trim() === '') continue;
        const level = Number(/"level":(\d+)/.exec(json)?.[1] ?? 60);
        if (level >= minLevel) process.stderr.write(`${formatLogLine(json)}\n`);
      }
    },
  };
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
  const verbose = isVerbose(cmd);
  const level = process.env.GATEKEEPER_LOG_LEVEL ? loaded.config.logLevel : verbose ? 'info' : 'warn';
  // the destination filters too: the audit log writes its lines at info whatever the level
  const minLevel = pinoLevel(level) ?? Number.POSITIVE_INFINITY;
  const logger = createLogger(level, readableStderr(minLevel));
  const runtime = await createRuntime(loaded, {
    logger,
    migrate: options.migrate ?? true,
    role: options.role ?? 'cli',
    // notices about development defaults only when asked; a permission problem always
    warn: (line) => {
      if (verbose || / has mode \d+/.test(line)) process.stderr.write(`warning: ${line}\n`);
    },
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

function pinoLevel(name: string): number | undefined {
  const found = Object.entries(LEVEL_NAMES).find(([, n]) => n === name);
  return found ? Number(found[0]) : undefined;
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
