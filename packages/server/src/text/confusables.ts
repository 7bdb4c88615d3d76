/**
 * Confusable skeletons (Unicode TS #39 §4): `skeleton(X) = NFD(map(NFD(X)))`, where `map` replaces
 * every character by its prototype from the Unicode confusables table (confusables.txt, shipped as
 * data by the `unhomoglyph` package). Two strings that look alike have equal skeletons: `admin`,
 * `аdmin` (Cyrillic а) and `admın` (dotless ı) all give one skeleton. Skeletons are for comparison
 * only — `m` becomes `rn` — and are computed from a username's comparison key, so case and width are
 * already folded. The table (≈6,300 entries, ~60 ms to load and compile) is loaded on first use, so
 * processes that never compare usernames never pay for it.
 */
import { createRequire } from 'node:module';

let map: ((value: string) => string) | undefined;

/** The TS #39 skeleton of `value`. */
export function skeleton(value: string): string {
  map ??= createRequire(import.meta.url)('unhomoglyph') as (value: string) => string;
  return map(value.normalize('NFD')).normalize('NFD');
}
