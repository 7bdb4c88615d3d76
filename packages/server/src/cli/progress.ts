/**
 * Progress bars for long CLI work (audit verify, key rewrap, imports). A live bar on an interactive
 * terminal; on a pipe or in CI, a plain line every 10 % so logs stay readable. Always on stderr, so
 * stdout stays clean for machine-readable output.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
        stream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0);
    return {
      update: (done, t) => {
        if (t !== undefined) bar.setTotal(Math.max(t, 1));
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let lastDecile = -1;
  let max = total;
  return {
    update(done, t) {
      if (t !== undefined) max = t;
      const decile = max > 0 ? Math.floor((done / max) * 10) : 10;
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${done}/${max} (${Math.min(100, decile * 10)}%)\n`);
      }
    },
    stop() {},
  };
}
