import { sql } from 'kysely'
import t from 'tap'
import { getter, isProblem, openTestApi, poster } from '../helpers/api.js'

const sources = [
  { publisher: 'The Associated Press', title: '[A report]', publishedAt: '2021-10-22' },
]
const harris = { id: 'Q10853588', name: 'Kamala Harris', country: 'US' }
const paris = { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' }

t.test(
  'a stream’s events page by version, as stored, and as they stood at a recorded time',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    const post = poster(api)
    const get = getter(api)
    await post('/v1/visits', {
      visitId: 'v',
      visitor: harris,
      destination: paris,
      period: { edtf: '2021-11' },
      sources,
    })
    for (const day of ['10', '11', '12', '13'])
      await post('/v1/visits/v/engagements', {
        engagement: {
          engagementId: `e${day}`,
          kind: 'talks',
          title: `Day ${day}`,
          period: { edtf: `2021-11-${day}` },
          status: 'confirmed',
        },
        sources,
      })

    const first = await get('/v1/streams/visit-v/events?limit=2')
    t.equal(first.status, 200)
    t.equal(first.headers.etag, '"5"')
    t.same(
      first.body.items.map((e: { streamVersion: number }) => e.streamVersion),
      [1, 2],
    )
    t.equal(first.body.next, '3')
    const last = await get('/v1/streams/visit-v/events?from=5&limit=2')
    t.same(
      last.body.items.map((e: { streamVersion: number }) => e.streamVersion),
      [5],
    )
    t.notOk(last.body.next, 'the last page has no next')
    t.match(first.body.items[1], {
      type: 'ItineraryEngagementAdded',
      prevHash: first.body.items[0].hash,
    })

    const at = first.body.items[1].recordedAt
    const asOf = await get(`/v1/streams/visit-v/events?asOf=${encodeURIComponent(at)}`)
    t.equal(asOf.headers.etag, '"2"', 'the version as it stood then')
    t.same(
      asOf.body.items.map((e: { streamVersion: number }) => e.streamVersion),
      [1, 2],
    )

    const history = await get('/v1/streams/visit-v/history?from=3&limit=2')
    t.same(
      history.body.items.map((i: { version: number }) => i.version),
      [3, 4],
    )
    t.equal(history.body.next, '5')
    t.match(history.body.items[0].changes, [
      { op: 'add', path: '/visit/engagements/1', value: { engagementId: 'e11' } },
    ])
    t.match(history.body.items[0].state, { status: 'scheduled', visit: { visitId: 'v' } })

    const noStream = await get('/v1/streams/visit-none/events')
    t.equal(noStream.status, 404)
    isProblem(t, noStream, 'not-found')
    const badId = await get('/v1/streams/has%20space/events')
    t.equal(badId.status, 400)
    const badAsOf = await get('/v1/streams/visit-v/events?asOf=yesterday')
    t.equal(badAsOf.status, 400)
    t.match(badAsOf.body.errors, [{ field: '/querystring/asOf', rule: 'format' }])
  },
)

t.test(
  'verify reports intact chains, and the first broken link of an altered stream',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    const post = poster(api)
    const get = getter(api)
    await post('/v1/visits', {
      visitId: 'v',
      visitor: harris,
      destination: paris,
      period: { edtf: '2021-11' },
      sources,
    })
    await post('/v1/visits', {
      visitId: 'w',
      visitor: harris,
      destination: paris,
      period: { edtf: '2021-12' },
      sources,
    })

    const intact = await get('/v1/audit/verify')
    t.equal(intact.status, 200)
    t.same(intact.body, { ok: true, eventsChecked: 2, streamsChecked: 2, broken: [] })

    // Someone with the database's superuser edits history behind the log's back.
    await sql`begin; set local session_replication_role = replica;
            update events set data = jsonb_set(data, '{purpose}', '"edited"') where stream_id = 'visit-v';
            commit`.execute(api.log.db)
    const broken = await get('/v1/audit/verify')
    t.match(broken.body, {
      ok: false,
      broken: [{ streamId: 'visit-v', streamVersion: 1, reason: 'hash-mismatch' }],
    })
    const other = await get('/v1/audit/verify?stream=visit-w')
    t.equal(other.body.ok, true, 'one stream can be checked alone')

    const readKey = await api.app.inject({
      method: 'POST',
      url: '/v1/admin/keys',
      headers: api.headers,
      payload: { name: 'reader', scopes: ['read'] },
    })
    const asReader = await api.app.inject({
      method: 'GET',
      url: '/v1/audit/verify',
      headers: { authorization: `Bearer ${readKey.json().key}` },
    })
    t.equal(asReader.statusCode, 403, 'audit routes need audit:read')
  },
)
