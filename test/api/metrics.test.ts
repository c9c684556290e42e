import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildApp } from '../../src/api/app.js'
import { ServiceMetrics } from '../../src/api/metrics.js'
import { countingAppends, projectionLag } from '../../src/app/metrics.js'
import { bearer, TEST_ADMIN_KEY } from '../helpers/api-keys.js'
import { openTestPostgres } from '../helpers/postgres.js'

/** The value of one sample line of the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

t.test(
  '/metrics shows request latency by route, appends, projection lag and relay lag',
  async (t) => {
    const log = await openTestPostgres(t)
    const metrics = new ServiceMetrics()
    const counted = countingAppends(log, metrics)
    let relay = { state: 'publishing', lagPositions: 4, lagSeconds: 1.5, published: 10, errors: 1 }
    const app = await buildApp({
      readiness: [],
      adminKey: TEST_ADMIN_KEY,
      metrics,
      projectionLag: projectionLag(counted),
      relayStatus: () => relay,
    })
    t.teardown(() => app.close())

    const events = [1, 2].map((n) => ({ eventId: randomUUID(), type: 'Noted', data: { n } }))
    await counted.append('note-1', events)
    await counted.append('note-1', events) // a client's retry: replayed, not counted
    await counted.append('note-2', [{ eventId: randomUUID(), type: 'Noted', data: {} }])
    for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/health/live' })

    const response = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(TEST_ADMIN_KEY),
    })
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
    const text = response.body
    t.equal(sample(text, 'entente_events_appended_total'), 3)
    t.equal(
      sample(
        text,
        'entente_http_request_duration_seconds_count{method="GET",route="/health/live",status_code="200"}',
      ),
      3,
    )
    // No runner was started: every read model is behind by the three events, or fewer while
    // older transactions of other databases on the server keep some of them from readers.
    for (const name of ['itinerary', 'relationship-status', 'calendar']) {
      const lag = sample(text, `entente_projection_lag_events{projection="${name}"}`)
      t.ok(lag !== undefined && lag >= 0 && lag <= 3, `${name} lags by up to 3 events (${lag})`)
      t.equal(
        sample(text, `entente_projection_status{projection="${name}",status="not-started"}`),
        1,
      )
    }
    t.equal(sample(text, 'entente_relay_lag_events'), 4)
    t.equal(sample(text, 'entente_relay_lag_seconds'), 1.5)
    t.equal(sample(text, 'entente_relay_state{state="publishing"}'), 1)
    t.equal(sample(text, 'entente_relay_published_total'), 10)
    t.ok(sample(text, 'process_resident_memory_bytes'), 'process metrics are there too')

    relay = { ...relay, state: 'waiting-for-broker', published: 12 }
    const again = (
      await app.inject({ method: 'GET', url: '/metrics', headers: bearer(TEST_ADMIN_KEY) })
    ).body
    t.equal(sample(again, 'entente_relay_published_total'), 12)
    t.equal(sample(again, 'entente_relay_state{state="waiting-for-broker"}'), 1)
    t.equal(sample(again, 'entente_relay_state{state="publishing"}'), undefined)
  },
)

t.test('/metrics needs the metrics scope', async (t) => {
  const app = await buildApp({ readiness: [] })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(response.statusCode, 401)
  t.equal(app.routeScopes.find((r) => r.url === '/metrics')?.scope, 'metrics')
})
