import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { appendToStream } from './append-to-stream.js'
import type { Database } from './schema.js'
import type { AppendResult, ExpectedVersion, NewEvent } from './types.js'

/** The channel that `entente_append_to_stream` notifies on every append. */
export const APPEND_CHANNEL = 'entente_events'

/** Wakes readers when something was appended. Listeners must not throw. */
export interface AppendNotifications {
  onAppend(listener: (streamId: string) => void): () => void
}

/** An open event log: the Kysely handle, append notifications, and how to close both. */
export interface EventLogConnection {
  readonly backend: 'postgres' | 'pglite'
  readonly db: Kysely<Database>
  readonly notifications: AppendNotifications
  /**
   * `appendToStream` for busy writers: the append's transaction does not NOTIFY (which would
   * serialise commits); readers in this process are woken at once, and other processes by one
   * NOTIFY sent after the commit, coalesced while one is in flight.
   */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expected?: ExpectedVersion,
  ): Promise<AppendResult>
  close(): Promise<void>
}

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
    types,
  }
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 })
  // An idle client that errors (server restart) is dropped by the pool; without a listener
  // the error would crash the process.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const listeners = new Listeners()

  let closed = false
  let listener: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let backoffMs = 100
  const listen = async (): Promise<void> => {
    const client = new pg.Client(clientConfig)
    client.on('notification', (message) => listeners.emit(message.payload ?? ''))
    client.on('error', (error) => {
      options.onListenError?.(error)
      reconnect(client)
    })
    client.on('end', () => reconnect(client))
    listener = client
    try {
      await client.connect()
      await client.query(`LISTEN ${APPEND_CHANNEL}`)
      backoffMs = 100
      // Anything appended while we were not listening: let readers look.
      listeners.emit('')
    } catch (error) {
      options.onListenError?.(error as Error)
      reconnect(client)
    }
  }
  const reconnect = (client: pg.Client): void => {
    if (closed || listener !== client) return
    listener = undefined
    client.removeAllListeners('end')
    client.end().catch(() => {})
    retry = setTimeout(() => void listen(), backoffMs)
    backoffMs = Math.min(backoffMs * 2, 5_000)
  }
  void listen()

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

  return {
    backend: 'postgres',
    db,
    notifications: listeners,
    async append(streamId, events, expected) {
      const result = await appendToStream(db, streamId, events, expected, {
        notifyInTransaction: false,
      })
      if (!result.replayed) {
        listeners.emit(streamId)
        announce(streamId)
      }
      return result
    },
    async close() {
      closed = true
      clearTimeout(retry)
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
  return {
    backend: 'pglite',
    db,
    notifications: listeners,
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
      // Destroying the Kysely driver closes PGlite too.
      await db.destroy()
    },
  }
}
