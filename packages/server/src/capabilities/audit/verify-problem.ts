/**
 * The vocabulary of a failed verification: what kind of tampering a problem indicates and where it
 * starts. Verification stops at the FIRST problem, so the checks throw it and `verifyChain` reports it.
 */

/** What kind of tampering (or damage) a problem indicates. */
export type VerifyProblemKind =
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'genesis'
  | 'checkpoint';

/** The first problem found; `seq` is where it starts. */
export interface VerifyProblem {
  seq: number;
  kind: VerifyProblemKind;
  message: string;
  expected?: string;
  actual?: string;
}

/** Thrown by `fail` and caught by `verifyChain`, which reports the problem instead. */
export class VerifyFailure extends Error {
  readonly problem: VerifyProblem;
  constructor(problem: VerifyProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/** Stops verification at the first problem. */
export function fail(
  seq: number,
  kind: VerifyProblemKind,
  message: string,
  expected?: string,
  actual?: string,
): never {
  throw new VerifyFailure({ seq, kind, message, ...(expected === undefined ? {} : { expected, actual }) });
}
