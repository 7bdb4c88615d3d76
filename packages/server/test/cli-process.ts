/**
 * Runs the real `gatekeeper` launcher as a process (as an operator types it) with a clean
 * environment: PATH and HOME from the test process plus the given variables.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cleanEnv, launcher, repoRoot } from './serve-process.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runGatekeeper(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): CliRun {
  const r = spawnSync(process.execPath, [launcher, ...args], {
    encoding: 'utf8',
    env: cleanEnv(options.env),
    input: options.input,
    cwd: options.cwd ?? repoRoot,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell command line exactly as printed (through `sh -c`). */
export function runShell(
  line: string,
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): CliRun {
  const r = spawnSync('/bin/sh', ['-c', line], {
    encoding: 'utf8',
    env: cleanEnv(options.env),
    input: options.input,
    cwd: options.cwd ?? repoRoot,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs a shell command line in a pseudo-terminal (util-linux `script`), as a person types it: each
 * `reply` is typed once its `prompt` has appeared. Resolves with everything the terminal showed.
 */
export function runInTerminal(
  line: string,
  replies: { prompt: string; reply: string }[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', line, '/dev/null'], {
      env: cleanEnv(options.env),
      cwd: options.cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const pending = [...replies];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; the terminal showed: ${screen}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      screen += chunk;
      while (pending.length > 0 && screen.includes(pending[0]!.prompt, screen.length - chunk.length - 64)) {
        child.stdin.write(pending.shift()!.reply);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}
