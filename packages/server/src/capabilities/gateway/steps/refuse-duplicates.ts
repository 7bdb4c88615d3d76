/**
 * refuseDuplicates: a credential, signature or original-request header sent twice is refused, never
 * resolved by picking one — Node keeps only the first `Authorization` and joins the others, so two
 * parties could each believe a different value was checked.
 */
import { deny } from '../reasons.ts';
import type { AuthzStep } from './step.ts';

const CREDENTIALS = new Set(['authorization', 'signature', 'signature-input', 'x-api-key', 'content-digest']);
const ORIGINAL = new Set([
  'x-original-uri',
  'x-original-method',
  'x-original-host',
  'x-original-client-ip',
  'x-forwarded-uri',
  'x-forwarded-method',
  'x-forwarded-host',
  'x-forwarded-proto',
  'host',
]);

export const refuseDuplicates: AuthzStep = {
  name: 'refuseDuplicates',
  run(ctx) {
    const raw = ctx.input.rawHeaders;
    const seen = new Set<string>();
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (!CREDENTIALS.has(name) && !ORIGINAL.has(name)) continue;
      if (seen.has(name))
        return CREDENTIALS.has(name)
          ? deny('duplicate_credentials', `${name} is sent twice`)
          : deny('duplicate_header', `${name} is sent twice`);
      seen.add(name);
    }
    return undefined;
  },
};
