import { type Kysely, sql } from 'kysely'
import type { JsonObject } from '../domain/json.js'
import type {
  Checkpoint,
  Database,
  EventLogConnection,
  LeanRecordedEvent,
  Lease,
} from '../eventstore/index.js'
import {
  AppendWaiter,
  isStoreUnavailable,
  READ_MODEL_CHANNEL,
  readAll,
  readModelPayload,
} from '../eventstore/index.js'
import {
  applyLiveBatch,
  applyRebuildBatch,
  CheckpointMovedError,
  type PreparedBatch,
  prepareBatch,
} from './apply-batch.js'
import type { Projection } from './projection.js'
import { dropGeneration } from './store.js'

/** Events read for a rebuild batch, where they end, and whether they reach the head. */
interface ReadBatch {
  events: LeanRecordedEvent[]
  checkpoint: Checkpoint
  caughtUp: boolean
  /** The events upcast and by document (`prepareBatch`), made as soon as they are read. */
  prepared: PreparedBatch
}

/** The most events one `readAll` returns. */
const MAX_READ = 10_000

export interface RebuildProgress {
  projection: string
  eventsDone: number
  /**
   * Events of the projection's types in the log when the rebuild started (what "done" is
   * measured against): a rebuild reads only those.
   */
  eventsTotal: number
  eventsPerSecond: number
  secondsLeft: number
}

export interface RunnerLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface RunnerOptions {
  log: EventLogConnection
  projection: Projection
  batchSize?: number
  /**
   * Events a rebuild applies per transaction (default: the projection's `rebuildBatchSize`,
   * else 50,000). Each transaction rewrites every document its events touch, so a busy
   * document that grows with the log (a pair's relationship) is written once per batch, at the
   * price of memory for the batch.
   */
  rebuildBatchSize?: number
  /** Poll for new events this often when no notification comes (default 1000 ms). */
  pollIntervalMs?: number
  /**
   * Following a steady stream of appends, read the next batch at most this long after the one
   * before (default 100 ms; 0: at every wake). A runner that woke at every append read, folded
   * and wrote a few events at a time, and the round trips of three runners doing so took
   * half the throughput of commands; gathered, the same events cost a fraction of it. The
   * first batch after a quiet spell, and each batch while working through a backlog, goes at
   * once.
   */
  batchIntervalMs?: number
  /** A standby tries to take the lock this often (default 2000 ms). */
  standbyIntervalMs?: number
  logger?: RunnerLogger
  onRebuildProgress?: (progress: RebuildProgress) => void
}

/** What the loop needs of the projection's row. */
interface Standing {
  version: number
  status: string
  rebuildRequested: boolean
  generation: number
  checkpoint: Checkpoint
  due: number
}

export type RunnerRole = 'standby' | 'active' | 'stopped'

const silent: RunnerLogger = { info() {}, warn() {}, error() {} }

/** Creates the projection's row on first sight (generation 1, at the start of the log). */
export async function registerProjection(db: Kysely<Database>, projection: Projection) {
  await db
    .insertInto('projections')
    .values({ name: projection.name, version: projection.version })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
}

/**
 * Keeps one projection up to date: takes the projection's lock (one active instance across
 * processes; the others stand by and take over when it goes), then reads the log from the
 * checkpoint in batches, waking on append notifications and polling as a fallback. A new
 * projection version, or a requested rebuild, builds the next generation aside and switches.
 */
export class ProjectionRunner {
  readonly #o: Required<Omit<RunnerOptions, 'onRebuildProgress'>> &
    Pick<RunnerOptions, 'onRebuildProgress'>
  #lease: Lease | undefined
  #stopped = false
  #running: Promise<void> | undefined
  #waiter: AppendWaiter | undefined
  /** Where the live model stands, as last read or written by this runner (`due`: read again). */
  #standing: Standing | undefined
  /** When the last batch that followed the head was read (`performance.now()`), else 0. */
  #followedAt = 0

  constructor(options: RunnerOptions) {
    this.#o = {
      batchSize: 500,
      rebuildBatchSize: options.projection.rebuildBatchSize ?? 50_000,
      pollIntervalMs: 1_000,
      batchIntervalMs: 100,
      standbyIntervalMs: 2_000,
      logger: silent,
      // An option given as undefined takes its default, as one not given does.
      ...(Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined),
      ) as RunnerOptions),
    }
  }

  /** The read model this runner keeps. */
  get name(): string {
    return this.#o.projection.name
  }

  get role(): RunnerRole {
    if (this.#stopped) return 'stopped'
    return this.#lease && !this.#lease.lost ? 'active' : 'standby'
  }

  start(): this {
    this.#waiter = new AppendWaiter(this.#o.log.notifications)
    this.#running = this.#loop()
    return this
  }

  /** Stops after the batch in hand and releases the lock. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#waiter?.close()
    await this.#running
    await this.#lease?.release()
    this.#lease = undefined
  }

  async #readStanding(): Promise<Standing> {
    const row = await this.#o.log.db
      .selectFrom('projections')
      .selectAll()
      .where('name', '=', this.#o.projection.name)
      .executeTakeFirstOrThrow()
    return {
      version: row.version,
      status: row.status,
      rebuildRequested: row.rebuild_requested,
      generation: row.active_generation,
      checkpoint: {
        transactionId: String(row.checkpoint_transaction_id),
        globalPosition: Number(row.checkpoint_position),
      },
      due: Date.now() + this.#o.pollIntervalMs,
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#waiter?.sleep(ms) ?? Promise.resolve()
  }

  async #loop(): Promise<void> {
    const { log, projection, logger } = this.#o
    while (!this.#stopped) {
      try {
        if (!this.#lease || this.#lease.lost) {
          this.#lease = await log.tryLock(`projection:${projection.name}`)
          if (!this.#lease) {
            await new Promise((r) => setTimeout(r, this.#o.standbyIntervalMs))
            continue
          }
          this.#standing = undefined
          try {
            await registerProjection(log.db, projection)
          } catch (error) {
            // Give the lock back: the next turn takes it and registers again.
            await this.#lease.release()
            this.#lease = undefined
            throw error
          }
          logger.info({ projection: projection.name }, 'projection runner is active')
        }
        // The row is read again after an empty batch and at least once a poll interval: in
        // between, each batch's own statement tells what it would (version, status, rebuild).
        const row =
          this.#standing && this.#standing.due > Date.now()
            ? this.#standing
            : await this.#readStanding()
        if (row.version !== projection.version || row.rebuildRequested) {
          this.#standing = undefined
          await this.#rebuild()
          continue
        }
        if (row.status === 'failed') {
          this.#standing = undefined
          await this.#sleep(this.#o.pollIntervalMs)
          this.#waiter?.clear()
          continue
        }
        // Following the head: let the appends that keep coming gather (`batchIntervalMs`).
        const gather = this.#followedAt + this.#o.batchIntervalMs - performance.now()
        if (gather > 0) await new Promise((r) => setTimeout(r, gather))
        this.#waiter?.clear()
        const from = row.checkpoint
        const readAt = performance.now()
        const slice = await readAll(log.db, {
          after: from,
          limit: this.#o.batchSize,
          checkHeldBack: true,
          lean: true,
        })
        this.#followedAt = slice.events.length > 0 && slice.caughtUp ? readAt : 0
        if (slice.events.length === 0) this.#standing = undefined
        else {
          const outcome = await applyLiveBatch(
            log.db,
            projection,
            row.generation,
            from,
            slice.events,
          )
          const { state } = outcome
          this.#standing = {
            ...row,
            version: state.version,
            status: state.status,
            rebuildRequested: state.rebuildRequested,
            checkpoint: outcome.checkpoint,
          }
          // Readers in this process forget at once; the others on the notification.
          if (outcome.changed.length > 0)
            log.readModels.emit({ projection: projection.name, keys: outcome.changed })
          if (outcome.failure)
            logger.error(
              { projection: projection.name, failure: outcome.failure },
              'projection stopped at an event it cannot apply',
            )
        }
        if (slice.caughtUp)
          await (this.#waiter?.idle(this.#o.pollIntervalMs, slice.heldBack) ?? Promise.resolve())
      } catch (error) {
        this.#standing = undefined
        if (error instanceof CheckpointMovedError) {
          logger.warn({ projection: projection.name }, error.message)
          await this.#lease?.release()
          this.#lease = undefined
          continue
        }
        // A database that is restarting is expected to come back: one line, no stack.
        if (isStoreUnavailable(error))
          logger.warn(
            { projection: projection.name, err: { message: (error as Error).message } },
            'database unavailable; the projection runner retries',
          )
        else
          logger.error(
            { projection: projection.name, err: error },
            'projection runner failed; retrying',
          )
        await new Promise((r) => setTimeout(r, Math.min(this.#o.pollIntervalMs, 1_000)))
      }
    }
  }

  /** Up to `size` events after `from`, read in slices the log allows. */
  async #readBatch(from: Checkpoint, size: number): Promise<ReadBatch> {
    const events: LeanRecordedEvent[] = []
    let after = from
    for (;;) {
      const limit = Math.min(MAX_READ, size - events.length)
      // Only the projection's own events: the others would be read, parsed and skipped.
      const slice = await readAll(this.#o.log.db, {
        after,
        limit,
        eventTypes: this.#o.projection.eventTypes,
        lean: true,
      })
      events.push(...slice.events)
      after = slice.checkpoint
      if (slice.caughtUp || events.length >= size)
        return {
          events,
          checkpoint: after,
          caughtUp: slice.caughtUp,
          prepared: prepareBatch(this.#o.projection, events),
        }
    }
  }

  /** Builds the next generation from the start of the log, then switches readers to it. */
  async #rebuild(): Promise<void> {
    const { log, projection, logger } = this.#o
    const db = log.db
    const row = await db
      .selectFrom('projections')
      .selectAll()
      .where('name', '=', projection.name)
      .executeTakeFirstOrThrow()
    const resuming = row.status === 'rebuilding' && row.rebuild_generation !== null
    const generation = resuming ? row.rebuild_generation! : row.active_generation + 1
    if (!resuming) {
      await dropGeneration(db, projection.name, generation)
      await db
        .updateTable('projections')
        .set({
          status: 'rebuilding',
          rebuild_generation: generation,
          rebuild_transaction_id: '0',
          rebuild_position: 0,
          rebuild_events_done: 0,
          rebuild_started_at: new Date(),
          updated_at: new Date(),
        })
        .where('name', '=', projection.name)
        .execute()
    }
    logger.info({ projection: projection.name, generation, resuming }, 'rebuilding projection')
    const total = Number(
      (
        await db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('event_type', 'in', projection.eventTypes)
          .executeTakeFirstOrThrow()
      ).n,
    )
    const started = performance.now()
    const fresh = await db
      .selectFrom('projections')
      .selectAll()
      .where('name', '=', projection.name)
      .executeTakeFirstOrThrow()
    let from: Checkpoint = {
      transactionId: String(fresh.rebuild_transaction_id ?? '0'),
      globalPosition: Number(fresh.rebuild_position ?? 0),
    }
    const doneBefore = Number(fresh.rebuild_events_done ?? 0)
    let done = doneBefore
    let ahead: Promise<ReadBatch> | undefined
    // The documents the last batch wrote: the next batch goes on from them (see
    // `applyRebuildBatch`). A failed batch ends this call, and what was kept with it.
    const kept = new Map<string, JsonObject>()
    while (!this.#stopped && this.#lease && !this.#lease.lost) {
      // The first batch is one read (`MAX_READ`): nothing is applied while it is read.
      const slice = await (ahead ??
        this.#readBatch(from, Math.min(MAX_READ, this.#o.rebuildBatchSize)))
      // Read and prepare the next batch while this one is applied (applying takes the longer;
      // its writes leave the client waiting for the server).
      ahead = slice.caughtUp
        ? undefined
        : this.#readBatch(slice.checkpoint, this.#o.rebuildBatchSize)
      ahead?.catch(() => {})
      if (slice.events.length > 0) {
        const outcome = await applyRebuildBatch(
          db,
          projection,
          generation,
          from,
          slice.events,
          kept,
          slice.prepared,
        )
        from = outcome.checkpoint
        done += outcome.applied
        const seconds = (performance.now() - started) / 1000
        const rate = seconds > 0 ? (done - doneBefore) / seconds : 0
        this.#o.onRebuildProgress?.({
          projection: projection.name,
          eventsDone: done,
          eventsTotal: Math.max(total, done),
          eventsPerSecond: rate,
          secondsLeft: rate > 0 ? Math.max(0, total - done) / rate : 0,
        })
        if (outcome.failure) {
          await db
            .updateTable('projections')
            .set({
              status: 'failed',
              error: JSON.stringify(outcome.failure),
              rebuild_requested: false,
              updated_at: new Date(),
            })
            .where('name', '=', projection.name)
            .execute()
          logger.error(
            { projection: projection.name, failure: outcome.failure },
            'rebuild stopped at an event it cannot apply',
          )
          return
        }
      }
      if (!slice.caughtUp) continue
      // Caught up: switch readers to the new generation in one transaction.
      const old = await db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('projections')
          .selectAll()
          .where('name', '=', projection.name)
          .forUpdate()
          .executeTakeFirstOrThrow()
        if (
          String(current.rebuild_transaction_id) !== from.transactionId ||
          Number(current.rebuild_position) !== from.globalPosition
        )
          throw new CheckpointMovedError(projection.name)
        await trx
          .updateTable('projections')
          .set({
            version: projection.version,
            status: 'running',
            active_generation: generation,
            checkpoint_transaction_id: from.transactionId,
            checkpoint_position: from.globalPosition,
            // The rebuild read only its own events; the count is of the log's, as live runs keep it.
            events_applied: sql<number>`(select count(*) from events where (transaction_id, global_position) <= (${from.transactionId}::xid8, ${from.globalPosition}::bigint))`,
            rebuild_requested: false,
            rebuild_generation: null,
            rebuild_transaction_id: null,
            rebuild_position: null,
            rebuild_events_done: null,
            rebuild_started_at: null,
            error: null,
            updated_at: new Date(),
          })
          .where('name', '=', projection.name)
          .execute()
        await sql`select pg_notify(${READ_MODEL_CHANNEL}, ${readModelPayload({ projection: projection.name })})`.execute(
          trx,
        )
        return current.active_generation
      })
      log.readModels.emit({ projection: projection.name })
      await dropGeneration(db, projection.name, old)
      logger.info({ projection: projection.name, generation, events: done }, 'rebuilt projection')
      return
    }
  }
}
