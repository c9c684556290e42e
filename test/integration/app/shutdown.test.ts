import pg from 'pg'
import t from 'tap'
import { loadConfig } from '../../../src/app/config.js'
import { startService } from '../../../src/app/serve.js'
import { bearer, TEST_ADMIN_KEY } from '../../helpers/api-keys.js'
import { createTestDatabase } from '../../helpers/postgres.js'

t.test(
  'closing the service finishes the request in flight, refuses new ones, stops the runners and releases their locks',
  async (t) => {
    const url = await createTestDatabase(t)
    const config = loadConfig({
      DATABASE_URL: url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ENTENTE_ADMIN_KEY: TEST_ADMIN_KEY,
    })
    const service = await startService(config)
    let closed = false
    t.teardown(() => (closed ? undefined : service.close()))

    // Hold the keys table so that creating a key waits: a request in flight, for as long
    // as this transaction lasts.
    const blocker = new pg.Client({ connectionString: url })
    await blocker.connect()
    t.teardown(() => blocker.end())
    await blocker.query('begin')
    await blocker.query('lock table api_keys in access exclusive mode')
    const inFlight = fetch(`${service.url}/v1/admin/keys`, {
      method: 'POST',
      headers: { ...bearer(TEST_ADMIN_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'created while shutting down', scopes: ['read'] }),
    })
    // Wait until the insert is really waiting on the lock.
    for (;;) {
      const { rows } = await blocker.query(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
      )
      if (rows[0].n > 0) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }

    const closing = service.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    t.equal(closed, false, 'close waits for the request in flight')
    await t.rejects(fetch(`${service.url}/health/live`), 'a new connection is refused')

    await blocker.query('commit')
    const response = await inFlight
    t.equal(response.status, 201, 'the request in flight is answered')
    t.equal(
      response.headers.get('connection'),
      'close',
      'and its connection ends, so that an idle kept-alive socket cannot hold the shutdown',
    )
    await closing
    t.ok(
      service.projections.runners.every((runner) => runner.role === 'stopped'),
      'every projection runner stopped',
    )
    const { rows } = await blocker.query(
      `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
        where l.locktype = 'advisory' and d.datname = current_database()`,
    )
    t.equal(rows[0].n, 0, 'their locks are released')
    const keys = await blocker.query('select name from api_keys')
    t.same(keys.rows, [{ name: 'created while shutting down' }], 'its write was committed')
  },
)
