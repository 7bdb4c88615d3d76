#!/usr/bin/env node
/**
 * The `gatekeeper` command. Every command has `--help`. A user mistake (bad configuration, unknown
 * setting, unreadable file) prints one line and exits 2; a failed check (e.g. a broken audit chain)
 * exits 1; nothing prints a stack trace unless GATEKEEPER_DEBUG is set.
 */
import { Command, CommanderError, type Option } from 'commander';
import { isUserFacingError } from '../errors/app-error.ts';
import { VERSION } from '../version.ts';

type Register = (program: Command) => void;

/**
 * Every command's module, in the order `--help` lists them, each loaded only when needed (issue 6
 * §9): `gatekeeper serve` loads what a running server needs and not the CLI's tables, prompts, CSV
 * and progress bars; any other command loads its own module. Help, a mistyped command (for the
 * suggestion) and no command at all load every one.
 */
const sessionsCommands = async () => (await import('./commands/sessions.ts')).registerSessions;
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  migrate: async () => (await import('./commands/migrate.ts')).registerMigrate,
  config: async () => (await import('./commands/config.ts')).registerConfig,
  audit: async () => (await import('./commands/audit.ts')).registerAudit,
  keys: async () => (await import('./commands/keys.ts')).registerKeys,
  tenants: async () => (await import('./commands/tenants.ts')).registerTenants,
  users: async () => {
    const [{ registerUsers }, { createServices }] = await Promise.all([
      import('./commands/users.ts'),
      import('../services.ts'),
    ]);
    return (program) => registerUsers(program, createServices);
  },
  groups: async () => {
    const [{ registerGroups }, { createServices }] = await Promise.all([
      import('./commands/groups.ts'),
      import('../services.ts'),
    ]);
    return (program) => registerGroups(program, createServices);
  },
  admin: async () => (await import('./commands/admin.ts')).registerAdmin,
  clients: async () => (await import('./commands/clients.ts')).registerClients,
  resources: async () => (await import('./commands/oidc.ts')).registerResources,
  trust: async () => (await import('./commands/oidc.ts')).registerTrust,
  routes: async () => (await import('./commands/routes.ts')).registerRoutes,
  tokens: async () => (await import('./commands/tokens.ts')).registerTokens,
  // one module registers both
  sessions: sessionsCommands,
  'sign-in': sessionsCommands,
  limits: async () => (await import('./commands/limits.ts')).registerLimits,
  'hmac-secrets': async () => (await import('./commands/hmac-secrets.ts')).registerHmacSecrets,
  mail: async () => (await import('./commands/mail.ts')).registerMail,
  mfa: async () => (await import('./commands/mfa.ts')).registerMfa,
  authz: async () => (await import('./commands/authz.ts')).registerAuthz,
  backup: async () => (await import('./commands/backup.ts')).registerBackup,
  version: async () => (await import('./commands/version.ts')).registerVersion,
};

/** Global options that take a value: the word after them is not the command. */
const GLOBAL_WITH_VALUE = new Set(['-c', '--config']);

/** The command an argument list runs (its first word that is not a global option), if any. */
export function commandNameOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Loads the command modules `argv` needs (every one when `argv` is not given or names no command). */
export async function loadCommands(argv?: readonly string[]): Promise<Register[]> {
  const name = argv ? commandNameOf(argv) : undefined;
  const wanted =
    name && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]!] : [...new Set(Object.values(COMMANDS))];
  return Promise.all(wanted.map((load) => load()));
}

/** The program with the given commands registered (see `loadCommands`). */
export function buildProgram(commands: readonly Register[]): Command {
  const program = new Command('gatekeeper')
    .description('Gatekeeper: identity and authorization service')
    .version(VERSION, '-v, --version')
    .option('-c, --config <file>', 'JSON config file (overrides GATEKEEPER_CONFIG)')
    .option('--verbose', 'print start-up notices and info log lines on stderr (as GATEKEEPER_LOG_LEVEL does)')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .allowUnknownOption(false)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  for (const register of commands) register(program);
  checkUnknownOptionsFirst(program);
  return program;
}

/**
 * Commander checks required options before unknown ones, so a mistyped `--tenat` was reported as a
 * missing `--tenant`. Required options are checked here instead, in a hook that runs after commander
 * has refused unknown options (with a suggestion); help still lists them the same way.
 */
function checkUnknownOptionsFirst(program: Command): void {
  const required = new Map<Command, Option[]>();
  const walk = (cmd: Command) => {
    const mandatory = cmd.options.filter((o) => o.mandatory);
    for (const o of mandatory) o.makeOptionMandatory(false);
    if (mandatory.length > 0) required.set(cmd, mandatory);
    for (const sub of cmd.commands) walk(sub);
  };
  walk(program);
  program.hook('preAction', (_root, action) => {
    for (const o of required.get(action) ?? []) {
      if (action.getOptionValue(o.attributeName()) === undefined)
        action.error(`error: required option '${o.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
    }
  });
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram(await loadCommands(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (process.env.GATEKEEPER_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    if (isUserFacingError(err)) {
      process.stderr.write(`gatekeeper: ${err.message}\n`);
      return 2;
    }
    if (process.env.GATEKEEPER_DEBUG) throw err;
    process.stderr.write(`gatekeeper: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * How long a failed command's process may take to exit on its own. A failed command has closed what
 * it opened, so the process exits at once; a handle left open by mistake (a pool, a reconnecting
 * client, a timer) is named on stderr and the process exits anyway instead of hanging.
 */
const EXIT_GRACE_MS = 1500;

/** Runs the CLI as a process entry point and sets the exit code (a running server keeps the process alive). */
export async function cliEntry(argv: string[]): Promise<void> {
  // `gatekeeper … | head` closes the pipe early: stop quietly, as other commands do, not with a stack
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const code = await runCli(argv);
  if (code === 0) return;
  process.exitCode = code;
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    process.stderr.write(`gatekeeper: exiting although still open: ${open.join(', ') || 'unknown'}\n`);
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
}

if (import.meta.main) await cliEntry(process.argv.slice(2));
