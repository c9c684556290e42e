import { type Kysely, sql } from 'kysely'
import {
  type AppendRow,
  appendResult,
  appendValidated,
  expectedText,
  translateDatabaseError,
} from './append-to-stream.js'
import type { Database } from './schema.js'
import type { AppendResult, ExpectedVersion, NewEvent } from './types.js'
import { validateAppend } from './validate-append.js'

interface WaitingAppend {
  streamId: string
  expected: ExpectedVersion
  /** The events as `validateAppend` made them ready for the database. */
  payload: string
  resolve(result: AppendResult): void
  reject(error: unknown): void
}

interface GroupRow extends AppendRow {
  out_index: number
  out_error: string | null
  out_detail: string | null
}

export interface AppendGroupOptions {
  /** Transactions of appends in flight at once (default 2). */
  inFlight?: number
  /** Appends in one transaction at most (default 64). */
  maxGroup?: number
}

/**
 * Group commit of one process's appends on Postgres. An append goes out at once while fewer
 * than `inFlight` transactions of appends are under way; the appends that arrive meanwhile
 * wait for the next free one and go together, in one call of `entente_append_group` (one
 * transaction, one commit and WAL flush for all of them). A quiet writer therefore waits for
 * nothing, and a busy one spends one round trip and one commit on many appends.
 *
 * Each append keeps its own outcome: a version conflict or a reused event id refuses that one
 * alone. Anything that breaks the group's transaction instead (two appends racing for one new
 * event id, a deadlock, a lost connection) sends each of its appends again on its own, so that
 * each gets its own answer; a group that committed before its answer was lost is then replayed
 * from the log, as any retried append is.
 *
 * @example
 * const groups = new AppendGroups(db)
 * const result = await groups.append('visit-42', [{ eventId, type: 'VisitScheduled', data }], 0)
 */
export class AppendGroups {
  readonly #db: Kysely<Database>
  readonly #inFlight: number
  readonly #maxGroup: number
  #waiting: WaitingAppend[] = []
  #running = 0

  constructor(db: Kysely<Database>, options: AppendGroupOptions = {}) {
    this.#db = db
    this.#inFlight = options.inFlight ?? 2
    this.#maxGroup = options.maxGroup ?? 64
  }

  /** `appendToStream`, possibly in one transaction with other appends of this process. */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    const payload = validateAppend(streamId, events, expected)
    return new Promise((resolve, reject) => {
      this.#waiting.push({ streamId, expected, payload, resolve, reject })
      this.#send()
    })
  }

  #send(): void {
    while (this.#running < this.#inFlight && this.#waiting.length > 0) {
      const group = this.#waiting.splice(0, this.#maxGroup)
      this.#running++
      void this.#commit(group).finally(() => {
        this.#running--
        this.#send()
      })
    }
  }

  async #commit(group: readonly WaitingAppend[]): Promise<void> {
    if (group.length === 1) return this.#alone(group[0]!)
    const appends = group.map(
      (a) =>
        `{"stream_id":${JSON.stringify(a.streamId)},"expected":"${expectedText(a.expected)}","events":${a.payload}}`,
    )
    let rows: GroupRow[]
    try {
      const result = await sql<GroupRow>`
        select out_index, out_event_id, out_stream_version, out_global_position, out_replayed,
               out_error, out_detail
          from entente_append_group(${`[${appends.join(',')}]`}::jsonb)`.execute(this.#db)
      rows = result.rows
    } catch {
      await Promise.all(group.map((a) => this.#alone(a)))
      return
    }
    const byAppend = group.map((): GroupRow[] => [])
    for (const row of rows) byAppend[row.out_index]?.push(row)
    group.forEach((a, i) => {
      const own = byAppend[i]!
      const refused = own.find((row) => row.out_error !== null)
      if (refused)
        a.reject(
          translateDatabaseError(
            { code: refused.out_error, detail: refused.out_detail ?? undefined },
            a.streamId,
            a.expected,
          ),
        )
      else a.resolve(appendResult(a.streamId, own))
    })
  }

  async #alone(a: WaitingAppend): Promise<void> {
    await appendValidated(this.#db, a.streamId, a.payload, a.expected, {
      notifyInTransaction: false,
    }).then(a.resolve, a.reject)
  }
}
