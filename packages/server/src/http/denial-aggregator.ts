/**
 * Refused admin requests are audited, but never one entry per request: a client without a
 * credential could otherwise write thousands of audit entries a second. Denials are aggregated per
 * address, reason, actor and tenant over a window (the runtime setting
 * `adminDenialAuditWindowSeconds`): the window's one event carries the first request's route and
 * request id and `count`, how many requests it stands for. A window is written when it closes (a
 * sweep every second), and every open window when the app closes or `flush()` is called. The number
 * of open windows is bounded; past it, denials from new addresses share one `*` window per reason.
 */
import type { AdminDenial } from './admin-guard.ts';

export interface AggregatedDenial extends AdminDenial {
  /** How many refused requests this event stands for. */
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface DenialAggregator {
  record(denial: AdminDenial): void;
  /** Writes every open window now. */
  flush(): void;
  stop(): void;
}

interface Window extends AggregatedDenial {
  closesAt: number;
}

export function createDenialAggregator(options: {
  windowMs: () => number;
  emit: (denial: AggregatedDenial) => void;
  maxWindows?: number;
  now?: () => number;
}): DenialAggregator {
  const { emit } = options;
  const now = options.now ?? Date.now;
  const maxWindows = options.maxWindows ?? 10_000;
  const open = new Map<string, Window>();

  const close = (key: string, w: Window) => {
    open.delete(key);
    const { closesAt: _, ...event } = w;
    emit(event);
  };
  const sweep = setInterval(() => {
    const at = now();
    for (const [key, w] of open) if (w.closesAt <= at) close(key, w);
  }, 1000);
  sweep.unref();

  return {
    record(denial) {
      const at = now();
      let key = `${denial.ip}|${denial.code}|${denial.actor ?? ''}|${denial.tenant ?? ''}`;
      let w = open.get(key);
      if (!w && open.size >= maxWindows) {
        key = `*|${denial.code}`;
        w = open.get(key);
        denial = { ...denial, ip: '*', actor: null, tenant: null };
      }
      if (w) {
        w.count++;
        w.lastAt = at;
        return;
      }
      open.set(key, { ...denial, count: 1, firstAt: at, lastAt: at, closesAt: at + options.windowMs() });
    },
    flush() {
      for (const [key, w] of open) close(key, w);
    },
    stop() {
      clearInterval(sweep);
    },
  };
}
