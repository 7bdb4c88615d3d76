#!/usr/bin/env node
/**
 * The `gatekeeper` command. Every command has `--help`. A user mistake (bad configuration, unknown
 * setting, unreadable file) prints one line and exits 2; a failed check (e.g. a broken audit chain)
 * exits 1; nothing prints a stack trace unless GATEKEEPER_DEBUG is set.
 */
import { Command, CommanderError, type Option } from 'commander';
import { isUserFacingError } from '../errors/app-error.ts';
import { createServices } from '../services.ts';
import { VERSION } from '../version.ts';
import { registerAdmin } from './commands/admin.ts';
import { registerAudit } from './commands/audit.ts';
import { registerAuthz } from './commands/authz.ts';
import { registerBackup } from './commands/backup.ts';
import { registerClients } from './commands/clients.ts';
import { registerConfig } from './commands/config.ts';
import { registerGroups } from './commands/groups.ts';
import { registerHmacSecrets } from './commands/hmac-secrets.ts';
import { registerKeys } from './commands/keys.ts';
import { registerLimits } from './commands/limits.ts';
import { registerMail } from './commands/mail.ts';
import { registerMfa } from './commands/mfa.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerResources, registerTrust } from './commands/oidc.ts';
import { registerRoutes } from './commands/routes.ts';
import { registerServe } from './commands/serve.ts';
import { registerSessions } from './commands/sessions.ts';
import { registerTenants } from './commands/tenants.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerUsers } from './commands/users.ts';
import { registerVersion } from './commands/version.ts';

export function buildProgram(): Command {
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
  registerServe(program);
  registerMigrate(program);
  registerConfig(program);
  registerAudit(program);
  registerKeys(program);
  registerTenants(program);
  registerUsers(program, createServices);
  registerGroups(program, createServices);
  registerAdmin(program);
  registerClients(program);
  registerResources(program);
  registerTrust(program);
  registerRoutes(program);
  registerTokens(program);
  registerSessions(program);
  registerLimits(program);
  registerHmacSecrets(program);
  registerMail(program);
  registerMfa(program);
  registerAuthz(program);
  registerBackup(program);
  registerVersion(program);
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
  const program = buildProgram();
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
