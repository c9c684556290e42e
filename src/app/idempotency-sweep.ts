import type { Kysely } from 'kysely'
import { sweepIdempotencyKeys } from '../api/idempotency.js'
import type { Database } from '../eventstore/index.js'

export interface IdempotencySweep {
  /** Stops sweeping; waits for a sweep under way to finish. */
  stop(): Promise<void>
}

export interface IdempotencySweepOptions {
  db: Kysely<Database>
  /** How long a key is kept after its first use. */
  retentionMs: number
  /** Time between sweeps (default: a quarter of the retention, at most an hour). */
  everyMs?: number
  onSwept?: (count: number) => void
  onError?: (error: unknown) => void
}

/**
 * Forgets expired idempotency keys periodically (see `sweepIdempotencyKeys`), first at start.
 * Every process sweeps; two sweeps at once only delete the same rows once.
 */
export function startIdempotencySweep(options: IdempotencySweepOptions): IdempotencySweep {
  const everyMs = options.everyMs ?? Math.min(3_600_000, Math.max(1_000, options.retentionMs / 4))
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const sweep = () => {
    running = sweepIdempotencyKeys(options.db, options.retentionMs)
      .then((count) => options.onSwept?.(count))
      .catch((error) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(sweep, everyMs).unref()
      })
  }
  sweep()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
