/**
 * A Vitest reporter that says, at the very end of `npm test`, why tests were skipped: without
 * GATEKEEPER_TEST_POSTGRES_URL and GATEKEEPER_TEST_REDIS_URL the PostgreSQL and Redis halves of the
 * suite (a third of it) do not run, and a summary line alone does not say so. It prints the count
 * and the command that runs everything against a local PostgreSQL and Redis. (Under CI a missing URL
 * fails the run instead: see test/databases.ts.)
 */
import type { Reporter, TestModule } from 'vitest/node';

export const FULL_SUITE_COMMAND =
  'GATEKEEPER_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres GATEKEEPER_TEST_REDIS_URL=redis://127.0.0.1:6379 npm test';

/** The notice for this environment and run, or null when nothing needs saying. */
export function skippedNotice(env: NodeJS.ProcessEnv, skipped: number): string | null {
  const missing = ['GATEKEEPER_TEST_POSTGRES_URL', 'GATEKEEPER_TEST_REDIS_URL'].filter((name) => !env[name]);
  if (missing.length === 0 || skipped === 0) return null;
  return [
    '',
    `${skipped} tests skipped: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set, so the tests that need ${missing.length === 1 ? 'it' : 'them'} did not run.`,
    'Run the full suite against a local PostgreSQL and Redis (each run makes its own database and key prefix):',
    `  ${FULL_SUITE_COMMAND}`,
    '',
  ].join('\n');
}

export default class SkippedSuitesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) if (test.result().state === 'skipped') skipped++;
    }
    const notice = skippedNotice(process.env, skipped);
    if (notice) process.stdout.write(`${notice}\n`);
  }
}
