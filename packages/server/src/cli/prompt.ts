/**
 * Asking the operator: a missing argument is prompted for only when stdin and stdout are a terminal
 * (a script gets the one-line error instead, exit 2), and a delete asks for confirmation unless
 * `--yes` is given — without a terminal, `--yes` is required.
 */
import { createInterface } from 'node:readline/promises';
import { AppError } from '../errors/app-error.ts';

export const interactive = (): boolean => Boolean(process.stdin.isTTY && process.stdout.isTTY);

async function question(text: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(text)).trim();
  } finally {
    rl.close();
  }
}

/** The value given, else (in a terminal) the answer to `label`, else a user error naming `flag`. */
export async function orAsk(value: string | undefined, flag: string, label: string): Promise<string> {
  if (value !== undefined && value !== '') return value;
  if (!interactive()) throw new AppError('validation_failed', { detail: `missing ${flag}` });
  const answer = await question(`${label}: `);
  if (answer === '') throw new AppError('validation_failed', { detail: `missing ${flag}` });
  return answer;
}

/** Resolves when the operator confirms (or `--yes` was given); throws a user error otherwise. */
export async function confirm(yes: boolean | undefined, what: string): Promise<void> {
  if (yes) return;
  if (!interactive()) throw new AppError('validation_failed', { detail: `${what}: add --yes to confirm` });
  const answer = await question(`${what}? [y/N] `);
  if (!/^y(es)?$/i.test(answer)) throw new AppError('validation_failed', { detail: 'not confirmed' });
}

/** Repeatable option collector. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `a,b c` → ['a', 'b', 'c']. */
export const list = (values: readonly string[] | string | undefined): string[] =>
  (Array.isArray(values) ? values : values === undefined ? [] : [values])
    .flatMap((v) => v.split(/[\s,]+/))
    .filter(Boolean);
