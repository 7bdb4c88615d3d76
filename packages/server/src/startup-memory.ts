/**
 * Gives back the memory start-up used (issue 6 §9: idle RSS ≤ 100 MiB). Loading the modules, building
 * every route and migrating allocate fast enough that V8 grows its young generation to the maximum
 * (32 MiB of semi-spaces) and keeps it: a third of an idle server's RSS held for garbage. V8 shrinks
 * it only in a "last resort" collection, the one it runs under memory pressure, so the server runs
 * those itself, shortly after it is ready. The price: the first seconds of heavy load after them run
 * more young-generation collections (measured: about a fifth of the CPU for a few seconds on
 * /healthz) until V8 has grown the young generation back to what the traffic needs; from then on, as
 * without them.
 *
 * It runs several, spaced out: V8 drops the bytecode of a function that has not run for six major
 * collections (`--bytecode-old-age`), and much of start-up's code runs once (checking migrations,
 * registering routes, reading the configuration). Seven collections free it (measured: bytecode
 * 1.6 → 0.7 MiB, about 2 MiB of RSS); code that runs again meanwhile keeps its bytecode, and code
 * dropped is compiled again if it is ever called. Each collection takes 15–40 ms on the 2-core
 * machine (a last-resort collection repeats mark-compact until nothing more is freed); they run one
 * per timer tick, 50 ms apart, so no request waits behind more than one.
 *
 * `gc` is exposed to a throwaway context only (`--expose-gc` set at run time reaches new contexts, not
 * the main one), so nothing else in the process can trigger collections.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** V8's `--bytecode-old-age`, plus the collection that then drops what has aged. */
const COLLECTIONS = 7;
const INTERVAL_MS = 50;

/**
 * Runs the collections, the first `delayMs` after the call and each next one INTERVAL_MS later (never
 * keeping the process alive for them).
 */
export function releaseStartupMemory(delayMs = 500, onError: (err: unknown) => void = () => {}): void {
  let gc: Gc | undefined;
  let left = COLLECTIONS;
  const collect = () => {
    try {
      if (!gc) {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as Gc;
      }
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    } catch (err) {
      onError(err); // an older V8 without the option: memory stays as it was
      return;
    }
    if (--left > 0) setTimeout(collect, INTERVAL_MS).unref();
  };
  setTimeout(collect, delayMs).unref();
}
