/**
 * Run count and seed of the property (fuzz) tests: a fixed seed and the CI-sized count by default,
 * so every run checks the same inputs; `FUZZ_RUNS=5000 FUZZ_SEED=<n> npm test -- <files>` is the
 * longer run started by hand (a failure prints the seed and path to replay it).
 */
export function fuzzOptions(ciRuns: number): { seed: number; numRuns: number; endOnFailure: true } {
  const runs = Number(process.env.FUZZ_RUNS ?? ciRuns);
  const seed = Number(process.env.FUZZ_SEED ?? 20_261_207);
  return { seed: Number.isFinite(seed) ? seed : 20_261_207, numRuns: Number.isInteger(runs) && runs > 0 ? runs : ciRuns, endOnFailure: true };
}
