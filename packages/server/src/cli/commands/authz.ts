/**
 * `gatekeeper authz explain --tenant T --method GET --url https://api.example.com/x [--header …]`:
 * the `/authz` decision for a request as nginx would ask about it, with every step's outcome — for
 * operators debugging a denial. Spends no nonce or rate-limit point and audits nothing.
 */
import type { Command } from 'commander';
import { explainRequest, parseHeaderLines } from '../../capabilities/gateway/index.ts';
import { out } from '../context.ts';
import { collect, orAsk } from '../prompt.ts';
import { withServices } from './tenants.ts';

export function registerAuthz(program: Command): void {
  const authz = program.command('authz').description('the /authz gateway decision');
  authz
    .command('explain')
    .description('explain the decision for a request, step by step')
    .option('--tenant <slug>', 'tenant slug (default: root)')
    .option('--method <method>', 'HTTP method (default: GET)')
    .option('--url <url>', 'the original request URL, e.g. https://api.example.com/x')
    .option('--header <line>', "a header of the request, 'Name: value' (repeatable)", collect)
    .option('--json', 'print JSON')
    .action(
      async (
        o: { tenant?: string; method?: string; url?: string; header?: string[]; json?: boolean },
        cmd: Command,
      ) => {
        const url = await orAsk(o.url, '--url', 'URL');
        const headers = parseHeaderLines(o.header ?? []);
        await withServices(cmd, async (s) => {
          const d = await explainRequest(s.gateway.decider, {
            tenantSlug: o.tenant ?? 'root',
            method: (o.method ?? 'GET').toUpperCase(),
            url,
            headers,
          });
          if (o.json)
            return out(
              JSON.stringify(
                {
                  allow: d.allow,
                  status: d.status,
                  reason: d.reason,
                  detail: d.detail,
                  routeId: d.routeId,
                  headers: d.headers,
                  steps: d.trace,
                },
                null,
                2,
              ),
            );
          for (const step of d.trace ?? [])
            out(`${step.step.padEnd(20)} ${step.outcome.padEnd(28)} ${step.detail ?? ''}`.trimEnd());
          out(`decision: ${d.allow ? 'allow' : 'deny'} (${d.status}${d.reason ? ` ${d.reason}` : ''})`);
          for (const [k, v] of Object.entries(d.headers)) out(`  ${k}: ${v}`);
        });
      },
    );
}
