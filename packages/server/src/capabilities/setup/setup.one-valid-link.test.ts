/**
 * At most one setup link is valid at any moment, however many instances issue one at once: issuing
 * supersedes the earlier links in the same transaction, under a lock every instance takes. Two
 * runtimes on one database (two "instances") race here; main.setup-link.two-instances.test.ts does
 * the same with two real server processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';

const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!dialectAvailable(dialect))(`setup links issued at once [${dialect}]`, () => {
    const open: TestRuntime[] = [];
    afterEach(async () => {
      for (const t of open.splice(0).reverse()) await t.close();
    });

    it('leave exactly one valid link, on every instance', async () => {
      const first = await createTestRuntime({ dialect });
      open.push(first);
      // embedded mode is one instance; PostgreSQL gets a second instance on the same database
      const instances =
        dialect === 'sqlite'
          ? [first]
          : [first, await createTestRuntime({ dialect, env: { GATEKEEPER_DATABASE_URL: first.db.url } })];
      if (instances[1]) open.push(instances[1]);

      for (let round = 0; round < 3; round++) {
        const links = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            instances[i % instances.length]!.services.setup.issueLinkIfNeeded(),
          ),
        );
        expect(links.every((l) => l !== null)).toBe(true);
        const valid: string[] = [];
        for (const link of links) {
          const checks = await Promise.all(instances.map((t) => t.services.setup.checkLink(tokenOf(link!))));
          // an instance never disagrees with another about a link
          expect(new Set(checks).size).toBe(1);
          if (checks[0]) valid.push(link!);
        }
        expect(valid, `round ${round}`).toHaveLength(1);
        expect(await first.services.credentials.countKind('setup')).toBe(8 * (round + 1));
      }
    });
  });
}
