/**
 * Gives back the memory start-up used (issue 6 §9: idle RSS ≤ 100 MiB). Loading the modules, building
 * every route and migrating allocate fast enough that V8 grows its young generation to the maximum
 * (32 MiB of semi-spaces) and keeps it: a third of an idle server's RSS held for garbage. V8 shrinks
 * it only in a "last resort" collection, the one it runs under memory pressure, so the server runs one
 * itself, once, shortly after it is ready. It takes a few tens of milliseconds. The price: the first
 * seconds of heavy load after it run more young-generation collections (measured: about a fifth of
 * the CPU for a few seconds on /healthz) until V8 has grown the young generation back to what the
 * traffic needs; from then on, as without it.
 *
 * `gc` is exposed to a throwaway context only (`--expose-gc` set at run time reaches new contexts, not
 * the main one), so nothing else in the process can trigger collections.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Runs the collection once, `delayMs` after the call (not keeping the process alive for it). */
export function releaseStartupMemory(delayMs = 500, onError: (err: unknown) => void = () => {}): void {
  setTimeout(() => {
    try {
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as Gc)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    } catch (err) {
      onError(err); // an older V8 without the option: memory stays as it was
    }
  }, delayMs).unref();
}
