/** Runs `operation` repeatedly for `durationMs` per round and returns the median ops/s of `rounds`. */
export async function opsPerSecond(
  operation: () => unknown | Promise<unknown>,
  {
    durationMs = 2000,
    rounds = 3,
    warmup = 200,
  }: { durationMs?: number; rounds?: number; warmup?: number } = {},
): Promise<number> {
  for (let i = 0; i < warmup; i++) await operation();
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < durationMs) {
      // Batches keep the clock out of the measurement.
      for (let i = 0; i < 50; i++) await operation();
      count += 50;
      elapsed = performance.now() - start;
    }
    results.push((count / elapsed) * 1000);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)] as number;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
