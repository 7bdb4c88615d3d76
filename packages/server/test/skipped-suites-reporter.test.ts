/**
 * `npm test` without the PostgreSQL and Redis URLs says at its end how many tests were skipped and
 * why, with the command that runs them all; with both URLs set it says nothing. Runs Vitest itself,
 * as a process, on one small suite.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './serve-process.ts';
import { FULL_SUITE_COMMAND, skippedNotice } from './skipped-suites-reporter.ts';

describe('the skipped-tests notice at the end of npm test', () => {
  it('is printed after the summary when the URLs are not set', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    const r = spawnSync(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'packages/server/src/state/state.conformance.test.ts'],
      { cwd: repoRoot, env, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''); // colours
    const summary = out.search(/Tests\s+\d+ passed \| (\d+) skipped/);
    const notice = out.search(
      /\d+ tests skipped: GATEKEEPER_TEST_POSTGRES_URL and GATEKEEPER_TEST_REDIS_URL are not set/,
    );
    expect(summary).toBeGreaterThan(0);
    expect(notice).toBeGreaterThan(summary);
    const counted = Number(/Tests\s+\d+ passed \| (\d+) skipped/.exec(out)![1]);
    expect(out).toContain(`${counted} tests skipped:`);
    expect(out).toContain(FULL_SUITE_COMMAND);
  });

  it('says nothing when both URLs are set or nothing was skipped', () => {
    expect(
      skippedNotice({ GATEKEEPER_TEST_POSTGRES_URL: 'x', GATEKEEPER_TEST_REDIS_URL: 'y' }, 12),
    ).toBeNull();
    expect(skippedNotice({}, 0)).toBeNull();
    expect(skippedNotice({ GATEKEEPER_TEST_POSTGRES_URL: 'x' }, 3)).toMatch(
      /^\n3 tests skipped: GATEKEEPER_TEST_REDIS_URL is not set, so the tests that need it did not run\./,
    );
  });
});
