/**
 * `gatekeeper keys generate|rewrap`: create a new Fernet master key, and re-encrypt every stored
 * secret under the newest master key so older keys can be retired. `keys signing …` (oidc.ts):
 * a tenant's token signing keys.
 */
import type { Command } from 'commander';
import { generateFernetKey } from '../../crypto/fernet.ts';
import { countEncrypted, rewrapSecrets } from '../../crypto/rewrap.ts';
import { cliActor, out, withRuntime } from '../context.ts';
import { createProgress } from '../progress.ts';
import { registerSigningKeys } from './oidc.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('master keys and token signing keys');
  registerSigningKeys(keys);

  keys
    .command('generate')
    .description('print a new random master key (put it first in GATEKEEPER_MASTER_KEYS)')
    .action(() => out(generateFernetKey()));

  keys
    .command('rewrap')
    .description('re-encrypt every stored secret under the newest master key')
    .action(async (_opts, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        const total = await countEncrypted(rt.database, rt.encryptedColumns);
        const progress = createProgress('rewrap', total);
        const result = await rewrapSecrets(rt.database, rt.keyring, rt.encryptedColumns, (n) =>
          progress.update(n),
        );
        progress.stop();
        rt.bus.emit({
          type: 'keys.rewrapped',
          tenant: null,
          actor: cliActor(),
          target: null,
          result: 'success',
          data: { scanned: result.scanned, rewrapped: result.rewrapped, keyId: rt.keyring.primaryId },
        });
        out(
          `${result.rewrapped} of ${result.scanned} secret(s) re-encrypted under key ${rt.keyring.primaryId}`,
        );
      });
    });
}
