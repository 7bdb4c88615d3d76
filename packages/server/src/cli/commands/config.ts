/**
 * `gatekeeper config list|get|set|unset|import|docs`: read the effective configuration and change
 * runtime settings. Changes go through the same settings service as the admin API: validated,
 * stored in the database (secrets encrypted), announced to every instance, audited.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderConfigurationDoc } from '../../config/docs.ts';
import { displayValue } from '../../config/load.ts';
import { isConfigKey } from '../../config/schema.ts';
import { AppError } from '../../errors/app-error.ts';
import { cliActor, out, withRuntime } from '../context.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('show and change configuration');

  config
    .command('list')
    .description('list every setting with its effective value and source')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        const rows = rt.settings.list();
        if (opts.json) return out(JSON.stringify(rows, null, 2));
        const width = Math.max(...rows.map((r) => r.key.length));
        for (const r of rows) {
          out(`${r.key.padEnd(width)}  ${r.value}  (${r.source}${r.runtime ? ', runtime' : ''})`);
        }
      });
    });

  config
    .command('get')
    .description('print the effective value of one setting')
    .argument('<key>', 'setting key, e.g. logLevel')
    .action(async (key: string, _opts, cmd: Command) => {
      if (!isConfigKey(key)) throw new AppError('unknown_setting', { detail: `no setting named "${key}"` });
      await withRuntime(cmd, async (rt) => out(displayValue(key, rt.settings.get(key))));
    });

  config
    .command('set')
    .description('store a runtime setting in the database (takes effect on every instance)')
    .argument('<key>', 'runtime setting key')
    .argument('<value>', 'new value')
    .action(async (key: string, value: string, _opts, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        await rt.settings.set({ [key]: value }, cliActor());
        out(`${key} = ${displayValue(key as never, rt.settings.get(key as never))}`);
      });
    });

  config
    .command('unset')
    .description(
      'remove a stored runtime setting (the environment, config file or built-in value applies again)',
    )
    .argument('<key>', 'runtime setting key')
    .action(async (key: string, _opts, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        out(
          (await rt.settings.unset(key, cliActor())) ? `${key} unset` : `${key} was not set in the database`,
        );
      });
    });

  config
    .command('import')
    .description('store several runtime settings from a JSON file, all or nothing')
    .argument('<file>', 'JSON object of runtime settings')
    .action(async (file: string, _opts, cmd: Command) => {
      let values: unknown;
      try {
        values = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new AppError('validation_failed', { detail: `${file}: ${(err as Error).message}` });
      }
      if (!values || typeof values !== 'object' || Array.isArray(values)) {
        throw new AppError('validation_failed', { detail: `${file} must hold a JSON object` });
      }
      await withRuntime(cmd, async (rt) => {
        await rt.settings.set(values as Record<string, unknown>, cliActor());
        out(`${Object.keys(values as object).length} setting(s) imported`);
      });
    });

  config
    .command('docs')
    .description('print the configuration reference (Markdown) generated from the schema')
    .option('--write <file>', 'write it to a file instead')
    .action((opts: { write?: string }) => {
      const doc = renderConfigurationDoc();
      if (opts.write) writeFileSync(opts.write, doc);
      else process.stdout.write(doc);
    });
}
