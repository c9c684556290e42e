import type { Kysely } from 'kysely'
import { AppendWaiter } from './append-waiter.js'
import type { AppendNotifications } from './connection.js'
import { readAll } from './read-all.js'
import type { Database } from './schema.js'
import type { Checkpoint, RecordedEvent } from './types.js'

export interface SubscribeOptions {
  from: Checkpoint
  /** Called with each batch in log order; the next batch waits until it resolves. */
  onEvents: (events: RecordedEvent[], checkpoint: Checkpoint) => Promise<void>
  batchSize?: number
  /** Poll this often when no notification arrives (default 1000 ms). */
  pollIntervalMs?: number
  eventTypes?: readonly string[]
  streamPrefix?: string
  streamId?: string
  /** Told about a failed read or handler; the subscription retries after a pause. */
  onError?: (error: unknown) => void
}

export interface Subscription {
  /** Resolves when the loop has stopped (after the batch in hand, if any). */
  stop(): Promise<void>
  readonly checkpoint: Checkpoint
}

/**
 * Follows the log from a checkpoint: reads batches until caught up, then sleeps until an
 * append is notified or the poll interval passes. Notifications only wake it early: an
 * event that commits without one (a lost notification, another writer) is found by polling.
 */
export function subscribe(
  db: Kysely<Database>,
  notifications: AppendNotifications,
  options: SubscribeOptions,
): Subscription {
  const { batchSize = 500, pollIntervalMs = 1_000 } = options
  let checkpoint = options.from
  let stopped = false
  const waiter = new AppendWaiter(notifications)

  const loop = async () => {
    while (!stopped) {
      try {
        waiter.clear()
        const slice = await readAll(db, {
          after: checkpoint,
          limit: batchSize,
          eventTypes: options.eventTypes,
          streamPrefix: options.streamPrefix,
          streamId: options.streamId,
          checkHeldBack: true,
        })
        if (slice.events.length > 0) {
          await options.onEvents(slice.events, slice.checkpoint)
          checkpoint = slice.checkpoint
        }
        if (slice.caughtUp) await waiter.idle(pollIntervalMs, slice.heldBack)
      } catch (error) {
        options.onError?.(error)
        await waiter.sleep(Math.min(pollIntervalMs, 1_000))
      }
    }
  }
  const running = loop()

  return {
    get checkpoint() {
      return checkpoint
    },
    async stop() {
      stopped = true
      waiter.close()
      await running
    },
  }
}
