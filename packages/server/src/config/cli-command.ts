/**
 * The `gatekeeper` command as an operator can type it on this machine, for the commands the server
 * prints (the setup banner, the setup page): `gatekeeper` when that name on PATH is this very
 * launcher (a global install or `npm link`; not the node_modules/.bin that `npm start` adds), `npx gatekeeper` from inside the checkout (npm runs the
 * workspace's bin; nothing is downloaded), and the launcher's absolute path anywhere else. A data
 * directory other than the default is prefixed (`GATEKEEPER_DATA_DIR=… npx gatekeeper …`) and a
 * config file is named (`--config FILE`), so the printed command reaches the same database.
 */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('../../bin/gatekeeper.js', import.meta.url));
const CHECKOUT = fileURLToPath(new URL('../../../../', import.meta.url));

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function onPath(): boolean {
  const launcher = real(LAUNCHER);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    // npm scripts (`npm start`) put the project's node_modules/.bin first: not the operator's PATH
    if (!dir || /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir)) continue;
    const candidate = join(dir, 'gatekeeper');
    if (existsSync(candidate) && real(candidate) === launcher) return true;
  }
  return false;
}

function inside(dir: string, root: string): boolean {
  const rel = relative(real(root) ?? root, real(dir) ?? dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Quotes a shell word when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface CliCommandOptions {
  /** The data directory in effect, prefixed when it is not the default `./data`. */
  dataDir?: string;
  /** Only when the database is the embedded one (a PostgreSQL URL is never printed: it may hold a password). */
  embedded?: boolean;
  configFile?: string | undefined;
  cwd?: string;
}

/**
 * The command prefix to print before `admin create …`.
 *
 * @example
 * `or run: ${cliCommand({ dataDir: config.dataDir, embedded: true })} admin create --email you@example.com --password-stdin`
 */
export function cliCommand(options: CliCommandOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const base = onPath() ? 'gatekeeper' : inside(cwd, CHECKOUT) ? 'npx gatekeeper' : shellWord(LAUNCHER);
  const env =
    options.embedded !== false && options.dataDir && resolve(cwd, options.dataDir) !== resolve(cwd, 'data')
      ? `GATEKEEPER_DATA_DIR=${shellWord(resolve(cwd, options.dataDir))} `
      : '';
  const config = options.configFile ? ` --config ${shellWord(resolve(cwd, options.configFile))}` : '';
  return `${env}${base}${config}`;
}
