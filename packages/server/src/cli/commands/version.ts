/** `gatekeeper version`: print the version. */
import type { Command } from 'commander';
import { VERSION } from '../../version.ts';
import { out } from '../context.ts';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the Gatekeeper version')
    .action(() => out(VERSION));
}
