import { randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import type { Test } from 'tap'
import {
  type Database,
  type EventLogConnection,
  migrateToLatest,
  openPglite,
  openPostgres,
} from '../../src/eventstore/index.js'

/** The server the integration suites use: DATABASE_URL, or the machine's local server. */
export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * A fresh database of its own for one suite on the real Postgres server, dropped at teardown.
 * Returns its URL.
 */
export async function createTestDatabase(t: Test, prefix = 'entente_test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  })
  return withDatabase(serverUrl, name)
}

/** A migrated event log on a fresh database of the real Postgres server, and its URL. */
export async function openTestPostgres(
  t: Test,
  poolSize = 10,
): Promise<EventLogConnection & { url: string }> {
  const url = await createTestDatabase(t)
  const log = openPostgres({ connectionString: url, poolSize })
  t.teardown(() => log.close())
  await migrateToLatest(log.db)
  return Object.assign(log, { url })
}

let pgliteTemplate: Promise<Blob> | undefined

/**
 * A migrated event log on in-memory embedded PGlite. Creating PGlite takes seconds, loading a
 * copy of a migrated template well under one: each test gets a fresh store from the template.
 */
export async function openTestPglite(t: Test): Promise<EventLogConnection> {
  pgliteTemplate ??= (async () => {
    const template = await openPglite({ dataDir: 'memory://' })
    await migrateToLatest(template.db)
    const dump = await template.dumpDataDir()
    await template.close()
    return dump
  })()
  const log = await openPglite({ dataDir: 'memory://', loadDataDir: await pgliteTemplate })
  t.teardown(() => log.close())
  await migrateToLatest(log.db)
  return log
}

/**
 * The events stored, counted in the table. `readAll` shows only events older than every
 * transaction still running on the server, and other suites' transactions run beside a test.
 */
export async function countEvents(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from events`.execute(db)
  return rows[0]!.n
}
