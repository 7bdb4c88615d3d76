/**
 * `gatekeeper audit verify`: walks the hash chain with a progress bar and names the first broken
 * entry and how it broke (modified, deleted, inserted, reordered, truncated). Exit 1 when broken.
 */
import type { Command } from 'commander';
import { readAnchors } from '../../capabilities/audit/anchors.ts';
import { verifyChain } from '../../capabilities/audit/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { out, withRuntime } from '../context.ts';
import { createProgress } from '../progress.ts';
import { registerAuditExport } from './audit-export.ts';

function loadAnchors(path: string): ReturnType<typeof readAnchors> {
  let read: ReturnType<typeof readAnchors>;
  try {
    read = readAnchors(path);
  } catch (err) {
    throw new AppError('validation_failed', {
      detail: `--anchors: cannot read ${path}: ${(err as Error).message}`,
    });
  }
  if (read.anchors.length === 0)
    throw new AppError('validation_failed', { detail: `--anchors: ${path} holds no audit checkpoint` });
  return read;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  registerAuditExport(audit);

  audit
    .command('prune')
    .description('delete entries older than auditRetentionDays now (the server also does this hourly)')
    .action(async (_opts, cmd: Command) => {
      await withRuntime(cmd, async (rt) => {
        const result = await rt.audit.prune();
        out(
          result
            ? `pruned ${result.deleted} entries through seq ${result.prune.throughSeq}; the chain still verifies from there`
            : `nothing older than ${rt.settings.get('auditRetentionDays')} days`,
        );
      });
    });

  audit
    .command('verify')
    .description('verify the audit hash chain and its signed checkpoints')
    .option('--from-checkpoint', 'start at the newest valid checkpoint (incremental)')
    .option(
      '--anchors <file>',
      'also check the checkpoints saved outside the database (the auditAnchorFile, or saved JSON log lines)',
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nStrictly read-only: verifying writes nothing (no checkpoint, no migration, no queued event).',
    )
    .action(async (opts: { fromCheckpoint?: boolean; json?: boolean; anchors?: string }, cmd: Command) => {
      const anchors = opts.anchors ? loadAnchors(opts.anchors) : undefined;
      const ok = await withRuntime(
        cmd,
        async (rt) => {
          const progress = opts.json ? undefined : createProgress('verify', 0);
          const report = await verifyChain({
            database: rt.database,
            checkpointKeys: rt.keyring.deriveKeys('audit-checkpoint'),
            fromCheckpoint: opts.fromCheckpoint === true,
            ...(anchors ? { anchors: anchors.anchors } : {}),
            onProgress: (done, total) => progress?.update(done, total),
          });
          progress?.stop();
          if (opts.json) {
            out(JSON.stringify(report, null, 2));
          } else if (report.ok) {
            out(
              `audit chain OK: ${report.entries} entries, head seq ${report.headSeq}, ${report.checkpointsVerified} checkpoint(s) verified${anchors ? `, ${report.anchorsVerified} outside anchor(s) verified` : ''}`,
            );
            for (const w of report.warnings) out(`warning: ${w}`);
          } else if (report.problem) {
            const p = report.problem;
            out(`audit chain BROKEN at seq ${p.seq}: ${p.kind} — ${p.message}`);
            if (p.expected !== undefined) out(`  expected: ${p.expected}`);
            if (p.actual !== undefined) out(`  actual:   ${p.actual}`);
          }
          return report.ok;
        },
        { migrate: false, role: 'read-only' },
      );
      if (!ok) process.exitCode = 1;
    });
}
