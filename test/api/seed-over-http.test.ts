import t from 'tap'
import { viewOf } from '../../src/api/reads.js'
import { queryRows, readDocument, readRelationshipStatus } from '../../src/projections/queries.js'
import { eventually, openTestApi } from '../helpers/api.js'
import { seedIds, seedRequests } from '../helpers/seed-http.js'

const HARRIS = 'Q10853588'
const EMHOFF = 'douglas-emhoff'

t.test(
  'the seed article entered over HTTP only reads back as the expected itinerary, relationship and history',
  async (t) => {
    const api = await openTestApi(t)
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' })
    const http = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...api.headers, ...(init.headers as Record<string, string>) },
      })
      const text = await response.text()
      const json = /json/.test(response.headers.get('content-type') ?? '')
      return {
        status: response.status,
        headers: response.headers,
        text,
        body: json ? JSON.parse(text) : undefined,
      }
    }
    const get = (path: string, headers: Record<string, string> = {}) => http(path, { headers })

    const requests = seedRequests()
    const ids = seedIds(requests)
    for (const request of requests) {
      const response = await http(request.url, {
        method: 'POST',
        body: JSON.stringify(request.body),
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `seed-${request.url}-${request.type}-${requests.indexOf(request)}`,
        },
      })
      t.ok([200, 201].includes(response.status), `${request.type} accepted (${response.status})`)
    }

    const itinerary = await eventually(
      () => get(`/v1/itineraries/${HARRIS}`),
      (r) =>
        r.status === 200 &&
        r.body.visits[0]?.engagements.length === 3 &&
        r.body.visits[0]?.delegation.length === 1,
      'the itinerary to show the whole visit',
    )
    t.equal(itinerary.body.visits.length, 1, 'one visit')
    const visit = itinerary.body.visits[0]
    t.match(visit, {
      visitId: ids.visit,
      status: 'scheduled',
      role: 'visitor',
      visitor: { name: 'Kamala Harris', office: 'Vice President of the United States' },
      destination: { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
      period: { edtf: '2021-11', precision: 'month', phrase: 'next month' },
      dyad: ['FR', 'US'],
      companions: [{ id: EMHOFF, name: 'Douglas Emhoff' }],
    })
    t.same(
      visit.engagements.map((e: { kind: string; period: { edtf: string } }) => [
        e.kind,
        e.period.edtf,
      ]),
      [
        ['talks', '2021-11'],
        ['speech', '2021-11-11'],
        ['conference', '2021-11-12'],
      ],
      'talks with Macron (sometime in November), the Peace Forum on the 11th, Libya on the 12th',
    )
    t.match(visit.engagements[0].counterparts, [{ name: 'Emmanuel Macron' }])
    t.ok(
      visit.sources.some((s: { publisher: string }) => s.publisher === 'The Associated Press'),
      'the sources come along',
    )

    const companion = await get(`/v1/itineraries/${EMHOFF}`)
    t.equal(companion.body.visits[0].role, 'delegation', 'Emhoff travels in the delegation')

    const calendar = await get(`/v1/itineraries/${HARRIS}`, { accept: 'text/calendar' })
    t.equal(calendar.status, 200)
    t.match(calendar.headers.get('content-type'), /^text\/calendar/)
    t.match(calendar.text, /^BEGIN:VCALENDAR/)
    t.equal(calendar.text.match(/BEGIN:VEVENT/g)?.length, 3, 'one event per engagement')
    t.match(calendar.text, /Paris Peace Forum/)

    const relationship = await eventually(
      () => get('/v1/relationships/US/FR?at=2021-10-23T12:00:00Z'),
      (r) => r.status === 200 && r.body.assessment !== null && r.body.openFrictions.length === 1,
      'the relationship to show the friction and the assessment',
    )
    t.match(relationship.body, {
      dyad: ['FR', 'US'],
      now: '2021-10-23T12:00:00.000Z',
      openFrictions: [
        { title: 'AUKUS and the cancelled French submarine deal', severity: 'serious' },
      ],
      assessment: { label: 'recovering' },
      lastEngagement: { type: 'call', id: ids.call },
      nextEngagement: { type: 'meeting', id: ids.meeting },
    })
    t.equal(relationship.headers.get('etag'), '"2"', 'the relationship stream holds two events')
    const listed = await get('/v1/relationships?country=FR')
    t.same(
      listed.body.items.map((r: { dyad: string[] }) => r.dyad),
      [['FR', 'US']],
      'FR has one relationship on record',
    )

    const history = await get(`/v1/streams/visit-${ids.visit}/history`)
    t.equal(history.status, 200)
    t.equal(history.headers.get('etag'), '"5"')
    t.same(
      history.body.items.map((i: { event: { type: string } }) => i.event.type),
      [
        'VisitScheduled',
        'ItineraryEngagementAdded',
        'ItineraryEngagementAdded',
        'ItineraryEngagementAdded',
        'DelegationMemberAdded',
      ],
    )
    const first = history.body.items[0]
    t.match(first, { version: 1, actor: /ENTENTE_ADMIN_KEY/, commandAt: String })
    t.match(first.sources, [
      { publisher: 'The White House' },
      { publisher: 'The Associated Press' },
    ])
    t.ok(
      first.changes.some((c: { op: string; path: string }) => c.path === '/visit'),
      'scheduling adds the visit to the state',
    )
    t.match(history.body.items[4].changes, [
      { op: 'add', path: '/visit/delegation/0', value: { person: { id: EMHOFF }, role: 'spouse' } },
    ])

    const now = await get(`/v1/visits/${ids.visit}`)
    t.equal(now.headers.get('etag'), '"5"', 'the read model reflects version 5')
    const asOf = await get(`/v1/visits/${ids.visit}?asOf=${encodeURIComponent(first.recordedAt)}`)
    t.equal(asOf.status, 200)
    t.same(asOf.body.engagements, [], 'as recorded after the first event: no engagement yet')
    t.equal(asOf.headers.get('etag'), '"1"')
    const pastItinerary = await get(
      `/v1/itineraries/${HARRIS}?asOf=${encodeURIComponent(history.body.items[1].recordedAt)}`,
    )
    t.same(
      pastItinerary.body.visits[0].engagements.map((e: { kind: string }) => e.kind),
      ['speech'],
      'the itinerary as recorded after the first engagement (the Peace Forum speech)',
    )
    t.equal((await get(`/v1/itineraries/${HARRIS}?asOf=2000-01-01T00:00:00Z`)).status, 404)
    const before = await get(`/v1/visits/${ids.visit}?asOf=2000-01-01T00:00:00Z`)
    t.equal(before.status, 404, 'nothing was recorded in 2000')

    const call = await get(`/v1/calls/${ids.call}`)
    t.equal(call.status, 200)
    t.match(call.body, {
      callId: ids.call,
      date: { edtf: '2021-10-22' },
      participants: [{ name: 'Joe Biden' }, { name: 'Emmanuel Macron' }],
    })
    t.equal(call.headers.get('etag'), '"1"')
    const meeting = await eventually(
      () => get(`/v1/meetings/${ids.meeting}`),
      (r) => r.status === 200,
      'the meeting',
    )
    t.match(meeting.body, {
      status: 'announced',
      occasion: 'G20 summit in Rome',
      format: 'sidelines',
    })

    // The engagement calendar, two entries a page: 3 engagements, the call and the meeting.
    const seen: string[] = []
    let after: string | undefined
    let pages = 0
    do {
      const page = await get(`/v1/engagements?country=FR&limit=2${after ? `&after=${after}` : ''}`)
      t.equal(page.status, 200)
      seen.push(...page.body.items.map((e: { id: string }) => e.id))
      after = page.body.next
      pages++
    } while (after && pages < 10)
    t.equal(pages, 3)
    t.equal(new Set(seen).size, 5, 'every entry once')
    const calls = await get('/v1/engagements?entry=call')
    t.same(
      calls.body.items.map((e: { id: string }) => e.id),
      [ids.call],
    )

    const visits = await get(`/v1/visits?person=${HARRIS}&country=FR`)
    t.same(
      visits.body.items.map((v: { visitId: string }) => v.visitId),
      [ids.visit],
    )
    const none = await get('/v1/visits?from=2030-01-01T00:00:00Z')
    t.same(none.body.items, [])

    for (const path of [
      '/v1/visits/no-such-visit',
      '/v1/calls/no-such-call',
      '/v1/meetings/no-such-meeting',
      '/v1/itineraries/Q1',
      '/v1/relationships/DE/JP',
      '/v1/streams/visit-no-such-visit/events',
      '/v1/streams/visit-no-such-visit/history',
    ]) {
      const missing = await get(path)
      t.equal(missing.status, 404, `${path} is a 404`)
      t.equal(missing.body.code, 'not-found')
    }
    // The response schemas name every field the read models hold: serialising by them drops
    // nothing (a field missing from a schema would vanish from the answer).
    const db = api.log.db
    const stored = async (projection: string, kind: string, id: string) =>
      viewOf((await readDocument(db, projection, kind, id))!)
    t.same(
      (await get(`/v1/visits/${ids.visit}`)).body,
      await stored('itinerary', 'visit', ids.visit),
    )
    t.same((await get(`/v1/calls/${ids.call}`)).body, await stored('calendar', 'call', ids.call))
    t.same(
      (await get(`/v1/meetings/${ids.meeting}`)).body,
      await stored('calendar', 'meeting', ids.meeting),
    )
    t.same(
      relationship.body,
      JSON.parse(
        JSON.stringify(await readRelationshipStatus(db, 'US', 'FR', '2021-10-23T12:00:00Z')),
      ),
    )
    const rows = await queryRows(db, {
      projection: 'calendar',
      kind: ['engagement', 'call', 'meeting'],
      limit: 50,
    })
    t.same((await get('/v1/engagements')).body.items, rows.items)

    const badCursor = await get('/v1/engagements?after=nonsense')
    t.equal(badCursor.status, 422)
    t.match(badCursor.body.errors, [{ field: '/query/after', rule: 'cursor' }])
    const badCountry = await get('/v1/relationships/FRA/US')
    t.equal(badCountry.status, 400)
    t.match(badCountry.body.errors, [{ field: '/params/a', rule: 'pattern' }])
    const anonymous = await fetch(`${base}/v1/visits/${ids.visit}`)
    t.equal(anonymous.status, 401, 'reads need an API key too')
  },
)
