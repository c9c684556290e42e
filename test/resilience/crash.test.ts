// kill -9 of the service in the middle of a flow of commands: every command it acknowledged
// with a 2xx is in the log exactly once, and after a restart the read models converge to a
// rebuild from the log.
import t from 'tap'
import { ownPostgres } from '../helpers/postgres-cluster.js'
import { caughtUp } from '../helpers/projections.js'
import { byStatus, LoadClient } from './load-client.js'
import { startService } from './service.js'
import { auditLog, compareWithRebuild, openStore } from './store.js'

t.test(
  'after kill -9 under load every acknowledged command is in the log once, and the read models converge to a rebuild after a restart',
  async (t) => {
    const pg = await ownPostgres(t)
    const first = await startService(t, 'first', { DATABASE_URL: pg.url })
    const store = openStore(t, pg.url)
    const load = new LoadClient({ urls: [first.url], workers: 6, pauseMs: 5 }).start()
    t.teardown(() => load.stop())
    await load.acknowledged(150)

    await first.kill9()
    const killedAt = Date.now()
    await load.stop()
    const inFlight = load.outcomes.filter((o) => o.status === 'error' && o.sentAt < killedAt)
    t.ok(load.acks.length >= 150, `${load.acks.length} commands were acknowledged before the kill`)
    t.ok(
      load.acks.every((a) => a.at <= killedAt),
      'none after it (the process is gone)',
    )

    const audit = await auditLog(store, load.acks)
    t.same(audit.lost, [], 'no acknowledged event is missing from the log')
    t.same(
      audit.misplaced,
      [],
      'each is in the log once, at the stream, version and position of its answer',
    )
    t.same(audit.duplicated, [], 'no event is in the log twice')
    t.equal(audit.found, audit.acknowledged, `${audit.found} of ${audit.acknowledged} found`)

    const second = await startService(t, 'second', { DATABASE_URL: pg.url })
    const startedAt = Date.now()
    await caughtUp(store)
    const convergedAt = Date.now()
    t.pass('the restarted runners apply every event the log holds')
    load.urls = [second.url]
    const before = load.acks.length
    load.start()
    await load.acknowledged(30)
    await load.stop()
    t.ok(load.acks.length > before, 'the restarted service accepts commands again')
    const after = await auditLog(store, load.acks)
    t.same([after.lost, after.misplaced, after.duplicated], [[], [], []], 'and records them once')

    await compareWithRebuild(t, store)
    t.comment(
      `figures: ${audit.acknowledged} events acknowledged before kill -9, ${audit.found} found once, ` +
        `${audit.lost.length} lost, ${audit.duplicated.length} duplicated; ${audit.inLog - audit.found} more ` +
        `appended whose answer the kill cut off (${inFlight.length} requests in flight: ${JSON.stringify(byStatus(inFlight))}); ` +
        `read models caught up ${convergedAt - startedAt} ms after the restarted service listened, and equal to a rebuild`,
    )
  },
)
