// Backup and restore (infra/backup.sh, infra/restore.sh) into a fresh server, whose
// transaction ids start far below the restored log's: reads, projections and the relay go on
// as if nothing happened, and the log clock tells a restore from a restart.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { startProjections } from '../../../src/app/projections.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import {
  checkpointAt,
  type EventLogConnection,
  migrateToLatest,
  openPglite,
  openPostgres,
  type RecordedEvent,
  readAll,
  readHead,
  settleLogClock,
  verify,
} from '../../../src/eventstore/index.js'
import { loadRelayCheckpoint } from '../../../src/messaging/index.js'
import { PROJECTIONS } from '../../../src/projections/index.js'
import { requestRebuild } from '../../../src/projections/status.js'
import { countEvents, openTestPostgres } from '../../helpers/postgres.js'
import { ownPostgres, type PrivatePostgres } from '../../helpers/postgres-cluster.js'
import { caughtUp, readModelSnapshot } from '../../helpers/projections.js'
import {
  appendMany,
  brokerRequired,
  collect,
  kafkaFor,
  startRelay,
  waitFor,
} from '../messaging/kafka.js'

const run = promisify(execFile)
const infra = path.resolve(import.meta.dirname, '../../../infra')
const silent = { info() {}, warn() {}, error() {} }
const needsBroker = brokerRequired(t)

/** The whole log in reading order, however long. */
async function readEverything(log: EventLogConnection): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = []
  let slice = await readAll(log.db, { limit: 1000 })
  events.push(...slice.events)
  while (!slice.caughtUp) {
    slice = await readAll(log.db, { after: slice.checkpoint, limit: 1000 })
    events.push(...slice.events)
  }
  return events
}

/**
 * The whole log once every committed event is visible to readers: on the machine's server,
 * readers also wait for older transactions of other databases (other suites).
 */
async function readCommitted(log: EventLogConnection): Promise<RecordedEvent[]> {
  const n = await countEvents(log.db)
  let events: RecordedEvent[] = []
  await waitFor(
    async () => {
      events = await readEverything(log)
      return events.length === n
    },
    () => `${events.length} of ${n} events visible`,
  )
  return events
}

/** A database of the private server, by name. */
async function createDatabase(server: PrivatePostgres, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(server.url)
  url.pathname = `/${name}`
  return url.toString()
}

/** Runs infra/<script> against `databaseUrl`; returns its output. */
async function infraScript(
  script: string,
  file: string,
  databaseUrl: string,
  bin: string,
): Promise<string> {
  const { stdout } = await run('bash', [path.join(infra, script), file], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PG_BIN: bin, LOG_LEVEL: 'silent' },
    timeout: 120_000,
  })
  return stdout
}

const txid = (e: RecordedEvent) => BigInt(e.transactionId)

function backupDir(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'entente-backup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test(
  'after pg_dump and pg_restore into a fresh server, old events read first, new appends after them, and the read models and the relay go on',
  needsBroker,
  async (t) => {
    // The source: the machine's server, whose transaction ids are far above a new server's.
    const source = await openTestPostgres(t)
    const kafka = kafkaFor(t)
    const commands = seedScenario({ newId: randomUUID, actor: 'analyst@entente' })
    const half = Math.floor(commands.length / 2)
    const sourceProjections = startProjections(source, silent)
    const sourceRelay = startRelay(t, { log: source, kafka })
    const handleOnSource = createCommandHandler({ log: source })
    for (const { command } of commands.slice(0, half))
      await handleOnSource(command, { requestId: 'before-backup' })
    await appendMany(source, 4, 5, 'before')
    const written = await countEvents(source.db)
    await caughtUp(source)
    await waitFor(
      () => sourceRelay.status().lagPositions === 0 && sourceRelay.status().published === written,
      () => JSON.stringify(sourceRelay.status()),
    )
    // Topics exist now: a consumer of the test's own follows them from the beginning.
    const collector = await collect(t, kafka)
    // The procedure: the service stops (projections and relay with it), then the backup.
    await sourceProjections.stop()
    await sourceRelay.stop()
    const before = await readCommitted(source)
    t.equal(before.length, written, 'every event of the source is visible to readers')
    const modelsBefore = await readModelSnapshot(source)

    const target = await ownPostgres(t)
    const probe = new pg.Client({ connectionString: target.url })
    await probe.connect()
    const { rows } = await probe.query<{ xid: string }>('select pg_current_xact_id()::text as xid')
    await probe.end()
    t.ok(
      BigInt(rows[0]!.xid) < txid(before[before.length - 1]!),
      'the new server counts transactions from below the restored ids (what the test is about)',
    )

    const file = path.join(backupDir(t), 'entente.dump')
    t.match(await infraScript('backup.sh', file, source.url, target.bin), /backed up to/)
    const targetUrl = await createDatabase(target, 'entente')
    const restored = await infraScript('restore.sh', file, targetUrl, target.bin)
    t.match(restored, /restored from another server/, 'the restore is detected and reported')
    t.match(restored, /the hash chains verify/)

    const log = openPostgres({ connectionString: targetUrl, poolSize: 4 })
    t.teardown(() => log.close())
    await migrateToLatest(log.db)
    const clock = await settleLogClock(log.db)
    t.equal(clock.restored, false, 'settled once, by the restore procedure')
    t.equal(clock.restores, 1)
    t.ok(BigInt(clock.offset) > 0n, 'the offset lifts this server’s ids above the restored ones')

    const after = await readEverything(log)
    t.same(
      after.map((e) => e.eventId),
      before.map((e) => e.eventId),
      'the restored log reads as it did, in the same order',
    )
    t.same(await readModelSnapshot(log), modelsBefore, 'the read models are restored as they were')

    // The service starts on the restored store: projections, relay, new commands.
    const projections = startProjections(log, silent)
    t.teardown(() => projections.stop())
    const relay = startRelay(t, { log, kafka })
    const handle = createCommandHandler({ log })
    for (const { command } of commands.slice(half))
      await handle(command, { requestId: 'after-restore' })
    await appendMany(log, 4, 5, 'after')
    const total = await countEvents(log.db)
    t.ok(total > before.length, 'new events were appended')

    const all = await readCommitted(log)
    t.same(
      all.slice(0, before.length).map((e) => e.eventId),
      before.map((e) => e.eventId),
      'the restored events come first',
    )
    const added = all.slice(before.length)
    const last = all[all.length - 1]!
    t.same(
      await readHead(log.db),
      { transactionId: last.transactionId, globalPosition: last.globalPosition },
      'the head of the log is the last new event',
    )
    t.equal(added.length, total - before.length, 'every new event is read, after them')
    const highestRestored = txid(before[before.length - 1]!)
    t.ok(
      added.every((e) => txid(e) > highestRestored),
      'new events carry transaction ids above every restored one',
    )
    const lastRestored = before[before.length - 1]!
    const resumed = await readAll(log.db, {
      after: await checkpointAt(log.db, lastRestored.globalPosition),
      limit: 1000,
    })
    t.same(
      resumed.events.map((e) => e.eventId),
      added.map((e) => e.eventId),
      'a client’s cursor (`after` = a global position) from before the restore resumes exactly',
    )

    // The highest position given out before the backup, which need not be the last event in
    // reading order: concurrent appends take positions in one order and commit in another.
    const highestPosition = Math.max(...before.map((e) => e.globalPosition))
    t.ok(
      added.every((e) => e.globalPosition > highestPosition + 999_999_999),
      'positions jump past any the old server gave out after the backup',
    )
    await t.rejects(
      checkpointAt(log.db, highestPosition + 1),
      { name: 'NotFoundError' },
      'a cursor from after the backup (an event lost with the old server) is refused, not reused',
    )

    await caughtUp(log)
    const live = await readModelSnapshot(log)
    for (const p of PROJECTIONS) await requestRebuild(log.db, p)
    await caughtUp(log, PROJECTIONS, (r) => r.generation === 2)
    t.strictSame(live, await readModelSnapshot(log), 'the read models equal a rebuild from the log')

    await waitFor(
      () => collector.events.length >= total,
      () => `${collector.events.length} of ${total} events arrived`,
    )
    await waitFor(
      () => relay.status().lagPositions === 0,
      () => JSON.stringify(relay.status()),
    )
    t.same(
      collector.events.map((e) => e.id).sort(),
      all.map((e) => e.eventId).sort(),
      'every event reached Kafka',
    )
    t.equal(collector.raw, total, 'none twice: the relay did not publish the restored ones again')
    t.equal(relay.status().published, total - before.length, 'the relay published the new ones')
    t.equal((await loadRelayCheckpoint(log.db, 'kafka')).eventsPublished, total)
    const report = await verify(log.db)
    t.same(report.broken, [], 'the hash chains verify')
    t.equal(report.eventsChecked, total)
  },
)

t.test(
  'the first append after a restore settles the clock itself, also when several race',
  async (t) => {
    const source = await openTestPostgres(t)
    await appendMany(source, 3, 4, 'source')
    const before = await readCommitted(source)
    const target = await ownPostgres(t)
    const file = path.join(backupDir(t), 'entente.dump')
    await infraScript('backup.sh', file, source.url, target.bin)
    // pg_restore alone, without the procedure's migrate: nothing has settled the clock.
    const targetUrl = await createDatabase(target, 'entente')
    await run(
      path.join(target.bin, 'pg_restore'),
      ['--no-owner', '--no-acl', '--exit-on-error', '--dbname', targetUrl, file],
      { timeout: 120_000 },
    )
    const log = openPostgres({ connectionString: targetUrl, poolSize: 8 })
    t.teardown(() => log.close())
    t.same(
      (await readEverything(log)).map((e) => e.eventId),
      before.map((e) => e.eventId),
      'before any append, every restored event is visible',
    )
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        log.append(`visit-race-${i}`, [
          { eventId: randomUUID(), type: 'VisitRescheduled', data: {} },
        ]),
      ),
    )
    const all = await readCommitted(log)
    t.same(
      all.slice(0, before.length).map((e) => e.eventId),
      before.map((e) => e.eventId),
    )
    t.equal(all.length, before.length + 8, 'all eight racing appends are read, after them')
    const clock = await settleLogClock(log.db)
    t.equal(clock.restored, false, 'already settled by the first append')
    t.equal(clock.restores, 1, 'settled once')
  },
)

t.test(
  'a restart or a crash of the same server is no restore: the clock stays, the log reads on',
  async (t) => {
    const server = await ownPostgres(t)
    const url = await createDatabase(server, 'entente')
    const open = async () => {
      const log = openPostgres({ connectionString: url, poolSize: 2 })
      await migrateToLatest(log.db)
      return log
    }
    let log = await open()
    await appendMany(log, 2, 3, 'first')
    const first = await settleLogClock(log.db)
    t.equal(first.restored, false)
    t.equal(first.offset, '0', 'a log written on this server needs no offset')
    for (const stop of [() => server.stop(), () => server.kill()]) {
      await log.close()
      await stop()
      await server.start()
      log = await open()
      const clock = await settleLogClock(log.db)
      t.equal(clock.restored, false, 'no restore detected')
      t.same(clock, first, 'the clock is unchanged')
      const before = await readEverything(log)
      await appendMany(log, 2, 3)
      const all = await readCommitted(log)
      t.same(all.slice(0, before.length), before, 'the old events first')
      t.equal(all.length, before.length + 6, 'then the new ones')
    }
    await log.close()
  },
)

t.test(
  'the embedded store settles its clock, and a copy of its folder is no restore',
  async (t) => {
    const original = await openPglite({ dataDir: 'memory://' })
    t.teardown(() => original.close())
    await migrateToLatest(original.db)
    await appendMany(original, 2, 2, 'pglite')
    const clock = await settleLogClock(original.db)
    t.equal(clock.restored, false)
    t.equal(clock.offset, '0')
    const copy = await openPglite({
      dataDir: 'memory://',
      loadDataDir: await original.dumpDataDir(),
    })
    t.teardown(() => copy.close())
    t.same(await settleLogClock(copy.db), clock, 'the same server identity, the same clock')
    await appendMany(copy, 1, 2)
    t.equal((await readEverything(copy)).length, 6)
  },
)
