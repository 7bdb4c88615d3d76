/**
 * Runs the real `gatekeeper` launcher as a process (as an operator types it) with a clean
 * environment: PATH and HOME from the test process plus the given variables.
 */
import { spawnSync } from 'node:child_process';
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
