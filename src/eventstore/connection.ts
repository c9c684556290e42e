import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { AppendGroups } from './append-group.js'
import { appendToStream } from './append-to-stream.js'
import type { Database } from './schema.js'
import type { AppendResult, ExpectedVersion, NewEvent } from './types.js'

/** The channel that `entente_append_to_stream` notifies on every append. */
export const APPEND_CHANNEL = 'entente_events'

/** Wakes readers when something was appended. Listeners must not throw. */
export interface AppendNotifications {
  onAppend(listener: (streamId: string) => void): () => void
}

/** The channel a projection's committed batch notifies on, from inside its transaction. */
export const READ_MODEL_CHANNEL = 'entente_read_models'

/**
 * What a committed transaction changed in a read model's active generation: the documents of
 * `keys` (`kind` NUL `id`), or, without keys, possibly any of them. `projection` undefined:
 * anything may have changed while this process was not listening.
 */
export interface ReadModelChange {
  projection?: string
  keys?: string[]
}

/** Tells this process when read models change, in any process on the store. */
export interface ReadModelNotifications {
  /**
   * True while every committed change reaches this process (its LISTEN session is up). While
   * false, what a process remembers of a read model may be stale: read it from the store.
   */
  readonly complete: boolean
  onChange(listener: (change: ReadModelChange) => void): () => void
  /** Tells this process's listeners at once (a writer, right after its commit). */
  emit(change: ReadModelChange): void
}

/** The longest payload Postgres takes in a NOTIFY is 8000 bytes. */
const MAX_PAYLOAD = 7_900

/** The NOTIFY payload of a change: its keys when they fit, else the whole projection. */
export function readModelPayload(
  change: Required<Pick<ReadModelChange, 'projection'>> & ReadModelChange,
): string {
  const whole = JSON.stringify({ projection: change.projection })
  if (!change.keys) return whole
  const text = JSON.stringify({ projection: change.projection, keys: change.keys })
  return Buffer.byteLength(text) <= MAX_PAYLOAD ? text : whole
}

function parseReadModelPayload(payload: string | undefined): ReadModelChange {
  try {
    const parsed = JSON.parse(payload ?? '') as ReadModelChange
    if (typeof parsed.projection === 'string') return parsed
  } catch {}
  // Not one of ours: treat it as "anything".
  return {}
}

class ReadModelListeners implements ReadModelNotifications {
  readonly #listeners = new Set<(change: ReadModelChange) => void>()
  #complete: boolean

  constructor(complete: boolean) {
    this.#complete = complete
  }

  get complete(): boolean {
    return this.#complete
  }

  /** Listening started or stopped: either way, what was remembered may be stale. */
  setComplete(complete: boolean): void {
    this.#complete = complete
    this.emit({})
  }

  onChange(listener: (change: ReadModelChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(change: ReadModelChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}

/** An open event log: the Kysely handle, append notifications, and how to close both. */
export interface EventLogConnection {
  readonly backend: 'postgres' | 'pglite'
  readonly db: Kysely<Database>
  readonly notifications: AppendNotifications
  readonly readModels: ReadModelNotifications
  /**
   * `appendToStream` for busy writers: the append's transaction does not NOTIFY (which would
   * serialise commits); readers in this process are woken at once, and other processes by one
   * NOTIFY sent after the commit, coalesced while one is in flight. On Postgres, appends made
   * while others are in flight share one transaction (`AppendGroups`).
   */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expected?: ExpectedVersion,
  ): Promise<AppendResult>
  /**
   * Tries to become the one active holder of `name` across every process on this store (a
   * projection, the relay). Undefined when another holder has it.
   */
  tryLock(name: string): Promise<Lease | undefined>
  close(): Promise<void>
}

/** An exclusive lock held for as long as its session lives. */
export interface Lease {
  /** True once the session that held the lock is gone: stop working, try to lock again. */
  readonly lost: boolean
  release(): Promise<void>
}

/**
 * Advisory-lock namespace of leases (appends use 1162761285 for streams, the log clock
 * 1162761287).
 */
const LEASE_NAMESPACE = 1162761286

const INT8_OID = 20

/** Positions and counts are int8 in SQL; as JS numbers they stay exact below 2^53. */
function parseInt8(value: string): number {
  return Number(value)
}

class Listeners implements AppendNotifications {
  readonly #listeners = new Set<(streamId: string) => void>()

  onAppend(listener: (streamId: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(streamId: string): void {
    for (const listener of this.#listeners) listener(streamId)
  }
}

export interface PostgresOptions {
  connectionString: string
  /** Connections in the pool (default 10). */
  poolSize?: number
  applicationName?: string
  /**
   * Give up opening a connection, or waiting for a free one of the pool, after this long
   * (default: wait as long as it takes). With it, a server that is down or unreachable, or a
   * pool that stays busy, fails a query within that time instead of holding it.
   */
  connectTimeoutMs?: number
  /** Told when the LISTEN connection fails; it reconnects by itself. */
  onListenError?: (error: Error) => void
}

/**
 * Opens the event log on a Postgres server: a pool for queries and one dedicated connection
 * that LISTENs for appends, reconnecting with backoff when it drops (readers also poll, so a
 * lost notification only delays them).
 */
export function openPostgres(options: PostgresOptions): EventLogConnection {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? parseInt8
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  }
  const clientConfig = {
    connectionString: options.connectionString,
    application_name: options.applicationName ?? 'entente',
    connectionTimeoutMillis: options.connectTimeoutMs,
    // Dead connections (a server gone without closing them) are found by the kernel.
    keepAlive: true,
    types,
  }
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 })
  // An idle client that errors (server restart) is dropped by the pool; without a listener
  // the error would crash the process.
  pool.on('error', () => {})
  // So would one that errors while lent out between two queries (the server ends its session
  // during a transaction, or before the first query): the pool stops listening to a client it
  // lends. The query in hand fails with the error, and the pool drops the broken client when
  // it comes back.
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const listeners = new Listeners()
  const readModels = new ReadModelListeners(false)

  let closed = false
  let listener: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let backoffMs = 100
  const listen = async (): Promise<void> => {
    const client = new pg.Client(clientConfig)
    client.on('notification', (message) => {
      if (message.channel === READ_MODEL_CHANNEL)
        readModels.emit(parseReadModelPayload(message.payload))
      else listeners.emit(message.payload ?? '')
    })
    client.on('error', (error) => {
      options.onListenError?.(error)
      reconnect(client)
    })
    client.on('end', () => reconnect(client))
    listener = client
    try {
      await client.connect()
      await client.query(`LISTEN ${APPEND_CHANNEL}; LISTEN ${READ_MODEL_CHANNEL}`)
      backoffMs = 100
      // Anything appended or projected while we were not listening: let readers look.
      listeners.emit('')
      readModels.setComplete(true)
    } catch (error) {
      options.onListenError?.(error as Error)
      reconnect(client)
    }
  }
  const reconnect = (client: pg.Client): void => {
    if (closed || listener !== client) return
    listener = undefined
    readModels.setComplete(false)
    client.removeAllListeners('end')
    client.end().catch(() => {})
    retry = setTimeout(() => void listen(), backoffMs)
    backoffMs = Math.min(backoffMs * 2, 5_000)
  }
  void listen()

  // Busy writers share transactions: see AppendGroups.
  const groups = new AppendGroups(db)

  // One NOTIFY in flight at a time; appends meanwhile are announced by the next one.
  let announcing = false
  let announceAgain = false
  const announce = (streamId: string): void => {
    if (announcing) {
      announceAgain = true
      return
    }
    announcing = true
    void pool
      .query(`select pg_notify('${APPEND_CHANNEL}', $1)`, [streamId])
      .catch((error: Error) => options.onListenError?.(error))
      .finally(() => {
        announcing = false
        if (announceAgain && !closed) {
          announceAgain = false
          announce('')
        }
      })
  }

  // A lease is a session-level advisory lock on a connection of its own: it lasts exactly as
  // long as that session, so a process that dies releases it with its connection. Behind a
  // pooler in transaction mode session locks do not hold: point DATABASE_URL at Postgres or
  // at a session-mode pool.
  const leases = new Set<pg.Client>()
  const tryLock = async (name: string): Promise<Lease | undefined> => {
    const client = new pg.Client(clientConfig)
    let lost = false
    client.on('error', () => {
      lost = true
    })
    client.on('end', () => {
      lost = true
    })
    let locked: boolean | undefined
    try {
      await client.connect()
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1, hashtext($2)) as locked',
        [LEASE_NAMESPACE, name],
      )
      locked = rows[0]?.locked
    } catch (error) {
      // Ending the session gives back a lock it may have taken before the answer was lost.
      await client.end().catch(() => {})
      throw error
    }
    if (!locked) {
      await client.end().catch(() => {})
      return undefined
    }
    leases.add(client)
    // A session can die without the socket telling us (a server restart behind a proxy).
    const probe = setInterval(() => {
      client.query('select 1').catch(() => {
        lost = true
      })
    }, 5_000)
    probe.unref()
    return {
      get lost() {
        return lost
      },
      async release() {
        clearInterval(probe)
        leases.delete(client)
        lost = true
        await client.end().catch(() => {})
      },
    }
  }

  return {
    backend: 'postgres',
    db,
    notifications: listeners,
    readModels,
    tryLock,
    async append(streamId, events, expected) {
      const result = await groups.append(streamId, events, expected)
      if (!result.replayed) {
        listeners.emit(streamId)
        announce(streamId)
      }
      return result
    },
    async close() {
      closed = true
      clearTimeout(retry)
      readModels.setComplete(false)
      await Promise.all([...leases].map((lease) => lease.end().catch(() => {})))
      const client = listener
      listener = undefined
      await client?.end().catch(() => {})
      await db.destroy()
    },
  }
}

/** The embedded store can also copy its whole data folder (a backup, or a test template). */
export interface PgliteConnection extends EventLogConnection {
  dumpDataDir(): Promise<Blob | File>
}

export interface PgliteOptions {
  /** A folder for the data, or `memory://` for a throwaway store. */
  dataDir: string
  /** Start from a copy of another store (`PGlite.dumpDataDir()`), e.g. a migrated template. */
  loadDataDir?: Blob | File
}

/**
 * Opens the event log on embedded PGlite (Postgres compiled to WebAssembly). One process owns
 * a data folder at a time; PGlite has a single session, so Kysely transactions queue.
 */
export async function openPglite(options: PgliteOptions): Promise<PgliteConnection> {
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true })
  const pglite = await PGlite.create(options.dataDir, {
    parsers: { [INT8_OID]: parseInt8 },
    loadDataDir: options.loadDataDir,
  })
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  const listeners = new Listeners()
  const unlisten = await pglite.listen(APPEND_CHANNEL, (payload) => listeners.emit(payload))
  // One session, never lost while the store is open.
  const readModels = new ReadModelListeners(true)
  const unlistenReadModels = await pglite.listen(READ_MODEL_CHANNEL, (payload) =>
    readModels.emit(parseReadModelPayload(payload)),
  )
  // One process owns the store, so a lease only has to exclude holders in this process.
  const held = new Set<string>()
  return {
    backend: 'pglite',
    db,
    notifications: listeners,
    readModels,
    async tryLock(name) {
      if (held.has(name)) return undefined
      held.add(name)
      let lost = false
      return {
        get lost() {
          return lost
        },
        async release() {
          lost = true
          held.delete(name)
        },
      }
    },
    async append(streamId, events, expected) {
      // One process owns the embedded store: waking this process's readers is enough.
      const result = await appendToStream(db, streamId, events, expected, {
        notifyInTransaction: false,
      })
      if (!result.replayed) listeners.emit(streamId)
      return result
    },
    dumpDataDir: () => pglite.dumpDataDir('none'),
    async close() {
      await unlisten().catch(() => {})
      await unlistenReadModels().catch(() => {})
      readModels.setComplete(false)
      // Destroying the Kysely driver closes PGlite too.
      await db.destroy()
    },
  }
}
