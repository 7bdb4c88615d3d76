/**
 * Last-used times of credentials, written in batches off the request path (issue 11: "never on the
 * hot path"): a verification only notes the credential id in memory; every `intervalMs` one UPDATE
 * stamps every noted id with the flush time (a use is recorded to within the interval), and `stop`
 * flushes what is left. A failed flush keeps the ids for the next one. At most once a minute per
 * credential is noted at all (the caller checks the cached row's `last_used_at`).
 */

export interface LastUsedWriter {
  /** Notes that credential `id` was used (no I/O). */
  note(id: string): void;
  /** Writes the noted ids now. */
  flush(): Promise<void>;
  /** Ids noted and not written yet. */
  readonly pending: number;
  start(): void;
  stop(): Promise<void>;
}

export interface LastUsedOptions {
  /** Stamps `ids` as used at `now` (one statement). */
  write(ids: readonly string[], now: number): Promise<void>;
  /** How often noted ids are written. Default 5000 ms. */
  intervalMs?: number;
  /** Most ids per statement. Default 500. */
  batchSize?: number;
  onError?: (err: unknown) => void;
}

export function createLastUsedWriter(options: LastUsedOptions): LastUsedWriter {
  const intervalMs = options.intervalMs ?? 5000;
  const batchSize = options.batchSize ?? 500;
  const noted = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  async function writeAll(): Promise<void> {
    while (noted.size > 0) {
      const ids = [...noted].slice(0, batchSize);
      for (const id of ids) noted.delete(id);
      try {
        await options.write(ids, Date.now());
      } catch (err) {
        for (const id of ids) noted.add(id);
        options.onError?.(err);
        return;
      }
    }
  }

  const writer: LastUsedWriter = {
    note(id) {
      if (noted.size < 100_000) noted.add(id);
    },
    flush() {
      flushing ??= writeAll().finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
    get pending() {
      return noted.size;
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void writer.flush(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await writer.flush();
    },
  };
  return writer;
}
