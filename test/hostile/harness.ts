import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Test } from 'tap'
import { buildApp } from '../../src/api/app.js'
import { type RunningProjections, startProjections } from '../../src/app/projections.js'
import type { EventLogConnection } from '../../src/eventstore/index.js'
import { PROJECTIONS } from '../../src/projections/index.js'
import { projectionReports } from '../../src/projections/status.js'
import { eventually } from '../helpers/api.js'
import { bearer, TEST_ADMIN_KEY } from '../helpers/api-keys.js'
import { openTestPostgres } from '../helpers/postgres.js'
import { seedRequests } from '../helpers/seed-http.js'

const quiet = { warn() {}, info() {}, error() {} }

export interface HostileApi {
  app: FastifyInstance
  log: EventLogConnection & { url: string }
  headers: { authorization: string }
  /** Starts the read models (stopped by `stopProjections` or at teardown). */
  startProjections(): void
  stopProjections(): Promise<void>
  /** Waits until every read model has applied the whole log; fails if one stopped. */
  caughtUp(): Promise<void>
}

/**
 * The whole API on a fresh database of the real Postgres server with the seed article
 * recorded over HTTP and applied by the read models, which are then left stopped: while they
 * are, any change to a read-model table can only come from a request itself.
 */
export async function openSeededApi(t: Test): Promise<HostileApi> {
  const log = await openTestPostgres(t)
  const app = await buildApp({
    readiness: [],
    adminKey: TEST_ADMIN_KEY,
    rateLimits: false,
    api: { log },
  })
  let running: RunningProjections | undefined
  const api: HostileApi = {
    app,
    log,
    headers: bearer(TEST_ADMIN_KEY),
    startProjections() {
      running ??= startProjections(log, quiet)
    },
    async stopProjections() {
      await running?.stop()
      running = undefined
    },
    async caughtUp() {
      await eventually(
        () => projectionReports(log.db, PROJECTIONS),
        (reports) => {
          const failed = reports.find((r) => r.status === 'failed')
          if (failed)
            throw new Error(`read model ${failed.name} stopped: ${JSON.stringify(failed.error)}`)
          return reports.every((r) => r.status === 'running' && r.lag.events === 0)
        },
        'the read models to catch up',
        90_000,
      )
    },
  }
  t.teardown(async () => {
    await app.close()
    await api.stopProjections()
  })
  api.startProjections()
  for (const request of seedRequests()) {
    const response = await app.inject({
      method: 'POST',
      url: request.url,
      payload: request.body,
      headers: api.headers,
    })
    if (response.statusCode >= 300)
      throw new Error(`seed ${request.type}: ${response.statusCode} ${response.body}`)
  }
  await api.caughtUp()
  await api.stopProjections()
  return api
}

/** Where the log stands: the number of events and the highest position. */
export async function logHead(log: EventLogConnection): Promise<string> {
  const { rows } = await sql<{ head: string }>`
    select count(*) || '@' || coalesce(max(global_position), 0) as head from events`.execute(log.db)
  return rows[0]!.head
}

/** A digest of every read-model table: documents, rows and each projection's checkpoint. */
export async function readModelDigest(log: EventLogConnection): Promise<string> {
  const { rows } = await sql<{ digest: string }>`
    select md5(
      coalesce((select string_agg(projection || generation || kind || id || doc::text, '|'
                  order by projection, generation, kind, id) from projection_documents), '')
      || coalesce((select string_agg(projection || generation || kind || id || doc::text, '|'
                  order by projection, generation, kind, id) from projection_rows), '')
      || coalesce((select string_agg(name || status || checkpoint_position || events_applied, '|'
                  order by name) from projections), '')) as digest`.execute(log.db)
  return rows[0]!.digest
}

/** Every string the log holds (ids, codes, names): values that reach existing records. */
export async function knownStrings(log: EventLogConnection): Promise<string[]> {
  const { rows } = await sql<{ value: string }>`
    select distinct value from (
      select stream_id as value from events
      union select event_id::text from events
      union select substring(stream_id from position('-' in stream_id) + 1) from events
      union select s #>> '{}' from events, jsonb_path_query(data, 'strict $.**') s
       where jsonb_typeof(s) = 'string'
    ) v where length(value) <= 200`.execute(log.db)
  return rows.map((r) => r.value)
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely
type Body = any

/** What a refusal must look like: problem+json with type, title and status (and fields). */
export function problemFault(
  status: number,
  contentType: string | undefined,
  body: Body,
  /** What the request said: a problem may quote it (a field name, a path). */
  sent = '',
): string | undefined {
  if (!/^application\/problem\+json/.test(contentType ?? ''))
    return `a ${status} is ${contentType}, not problem+json`
  if (typeof body !== 'object' || body === null) return 'the problem is not an object'
  if (typeof body.type !== 'string' || !body.type.startsWith('urn:entente:problem:'))
    return `the problem's type is ${body.type}`
  if (typeof body.title !== 'string' || body.title === '') return 'the problem has no title'
  if (body.status !== status) return `the problem's status ${body.status} is not ${status}`
  if (['invalid-request', 'validation-failed'].includes(body.code)) {
    if (!Array.isArray(body.errors) || body.errors.length === 0)
      return `a ${body.code} names no field`
    for (const e of body.errors)
      if (typeof e.field !== 'string' || typeof e.rule !== 'string')
        return `a ${body.code} error without field and rule: ${JSON.stringify(e)}`
  }
  const internals = /\bat \/|\.ts:\d|node_modules|select |insert into|violates|relation "/i
  const said = internals.exec(JSON.stringify(body))
  if (said && !sent.toLowerCase().includes(said[0].toLowerCase()))
    return `the problem shows internals (${said[0]})`
  return undefined
}
