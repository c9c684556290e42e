import { sql } from 'kysely'
import t from 'tap'
import { readStream } from '../../src/eventstore/index.js'
import { isProblem, openTestApi, poster } from '../helpers/api.js'
import { countEvents } from '../helpers/postgres.js'

const source = {
  publisher: 'The Associated Press',
  title: '[A report]',
  publishedAt: '2021-10-22',
}
const sources = [source]
const harris = {
  id: 'Q10853588',
  name: 'Kamala Harris',
  office: 'Vice President of the United States',
  country: 'US',
}
const macron = { id: 'Q3052772', name: 'Emmanuel Macron', country: 'FR' }
const biden = { id: 'Q6279', name: 'Joe Biden', country: 'US' }
const emhoff = { id: 'douglas-emhoff', name: 'Douglas Emhoff', country: 'US' }
const paris = { city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' }
const rome = { city: 'Rome', country: 'IT', timeZone: 'Europe/Rome' }

t.test(
  'every command route records its command and answers with stream, version and events',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    const post = poster(api)

    const scheduled = await post('/v1/visits', {
      visitId: 'harris-paris',
      visitor: harris,
      destination: paris,
      period: { edtf: '2021-11', phrase: 'next month', relativeTo: '2021-10-23' },
      purpose: 'Talks with President Macron',
      sources,
    })
    t.equal(scheduled.status, 201)
    t.equal(scheduled.headers.location, '/v1/visits/harris-paris')
    t.equal(scheduled.headers.etag, '"1"', 'ETag: the stream version')
    t.match(scheduled.body, {
      id: 'harris-paris',
      streamId: 'visit-harris-paris',
      version: 1,
      events: [{ type: 'VisitScheduled', streamVersion: 1, globalPosition: Number }],
    })

    const steps: [string, object, number, string[]][] = [
      [
        '/v1/visits/harris-paris/engagements',
        {
          engagement: {
            engagementId: 'forum',
            kind: 'speech',
            title: 'Paris Peace Forum',
            period: { edtf: '2021-11-11' },
            status: 'confirmed',
          },
          sources,
        },
        201,
        ['ItineraryEngagementAdded'],
      ],
      [
        '/v1/visits/harris-paris/engagements/forum/change',
        { changes: { title: 'Speech at the Paris Peace Forum' }, sources },
        200,
        ['ItineraryEngagementChanged'],
      ],
      [
        '/v1/visits/harris-paris/delegation',
        { member: { person: emhoff, role: 'spouse' }, sources },
        200,
        ['DelegationMemberAdded'],
      ],
      [
        '/v1/visits/harris-paris/delegation/douglas-emhoff/remove',
        { reason: 'Stayed home', sources },
        200,
        ['DelegationMemberRemoved'],
      ],
      [
        '/v1/visits/harris-paris/engagements/forum/remove',
        { reason: 'Dropped from the programme', sources },
        200,
        ['ItineraryEngagementRemoved'],
      ],
      [
        '/v1/visits/harris-paris/reschedule',
        { period: { edtf: '2021-11-09/2021-11-13' }, reason: 'Dates announced', sources },
        200,
        ['VisitRescheduled'],
      ],
      ['/v1/visits/harris-paris/complete', { sources }, 200, ['VisitCompleted']],
      [
        '/v1/visits',
        {
          visitId: 'v2',
          visitor: harris,
          destination: paris,
          period: { edtf: '2022-03' },
          sources,
        },
        201,
        ['VisitScheduled'],
      ],
      [
        '/v1/visits/v2/cancel',
        { reason: 'Postponed indefinitely', sources },
        200,
        ['VisitCancelled'],
      ],
      [
        '/v1/calls',
        {
          callId: 'call-1',
          participants: [biden, macron],
          date: { edtf: '2021-10-22', phrase: 'on Friday' },
          topics: ['The Sahel'],
          sources,
        },
        201,
        ['CallRecorded'],
      ],
      [
        '/v1/meetings',
        {
          meetingId: 'rome',
          participants: [biden, macron],
          place: rome,
          window: { edtf: '[2021-10-23..2021-10-31]', phrase: 'later this month' },
          occasion: 'G20 summit',
          format: 'sidelines',
          sources,
        },
        201,
        ['MeetingAnnounced'],
      ],
      [
        '/v1/meetings/rome/confirm',
        { date: { edtf: '2021-10-29' }, sources },
        200,
        ['MeetingConfirmed'],
      ],
      [
        '/v1/meetings/rome/reschedule',
        { window: { edtf: '2021-10-28/2021-10-31' }, reason: 'Moved', sources },
        200,
        ['MeetingRescheduled'],
      ],
      ['/v1/meetings/rome/held', { date: { edtf: '2021-10-29' }, sources }, 200, ['MeetingHeld']],
      [
        '/v1/meetings/rome/outcomes',
        { outcomeId: 'o1', summary: 'A joint statement', sources },
        201,
        ['MeetingOutcomeRecorded'],
      ],
      [
        '/v1/meetings',
        {
          meetingId: 'm2',
          participants: [biden, macron],
          place: rome,
          window: { edtf: '2021-12' },
          format: 'standalone',
          sources,
        },
        201,
        ['MeetingAnnounced'],
      ],
      ['/v1/meetings/m2/cancel', { reason: 'Called off', sources }, 200, ['MeetingCancelled']],
      [
        '/v1/statements',
        {
          statementId: 's1',
          kind: 'readout',
          issuer: { name: 'The White House', country: 'US' },
          title: '[Readout]',
          date: { edtf: '2021-10-22' },
          relatesTo: [{ aggregate: 'call', id: 'call-1' }],
          sources,
        },
        201,
        ['StatementPublished'],
      ],
      [
        '/v1/relationships/US/FR/frictions',
        {
          frictionId: 'aukus',
          title: 'AUKUS',
          description: 'The cancelled submarine deal',
          severity: 'serious',
          thirdParties: ['AU', 'GB'],
          sources,
        },
        201,
        ['FrictionRecorded'],
      ],
      [
        '/v1/relationships/FR/US/frictions/aukus/resolve',
        { resolution: 'Mended at the Rome meeting', sources },
        200,
        ['FrictionResolved'],
      ],
      [
        '/v1/relationships/US/FR/cooperation',
        { area: 'security', topic: 'The Sahel', sources },
        201,
        ['CooperationRecorded'],
      ],
      [
        '/v1/relationships/US/FR/assessments',
        { label: 'recovering', rationale: 'Mending ties after AUKUS', sources },
        201,
        ['RelationshipAssessed'],
      ],
    ]
    for (const [url, payload, status, types] of steps) {
      const response = await post(url, payload)
      t.equal(response.status, status, `${url} answers ${status}`)
      t.same(
        response.body.events?.map((e: { type: string }) => e.type),
        types,
        `${url} appended ${types.join(', ')}`,
      )
      t.equal(response.headers.etag, `"${response.body.version}"`, `${url} carries the ETag`)
    }

    const scheduledId = scheduled.body.events[0].eventId
    const corrected = await post(`/v1/events/${scheduledId}/corrections`, {
      changes: { purpose: 'Talks on the Sahel and the Indo-Pacific' },
      reason: 'The AP story was updated',
      sources,
    })
    t.equal(corrected.status, 200)
    t.equal(corrected.body.events[0].type, 'FactCorrected')
    t.equal(corrected.body.streamId, 'visit-harris-paris', 'appended to the corrected stream')

    const cooperation = (await readStream(api.log.db, 'relationship-FR-US')).events.find(
      (e) => e.type === 'CooperationRecorded',
    )!
    const retracted = await post(`/v1/events/${cooperation.eventId}/retractions`, {
      reason: 'No such cooperation was announced',
      sources,
    })
    t.equal(retracted.status, 200)
    t.equal(retracted.body.events[0].type, 'FactRetracted')

    const stored = (await readStream(api.log.db, 'visit-harris-paris')).events[0]!
    t.match(stored.metadata, {
      actor: /ENTENTE_ADMIN_KEY/,
      commandType: 'ScheduleVisit',
      sources: [source],
      requestId: String,
      correlationId: String,
    })
    t.ok(
      Math.abs(Date.parse(String(stored.metadata.commandAt)) - Date.now()) < 60_000,
      'the command time is the server’s clock at receipt',
    )
    t.same(
      stored.data.period,
      {
        edtf: '2021-11',
        precision: 'month',
        phrase: 'next month',
        relativeTo: '2021-10-23',
        earliest: '2021-11-01T00:00:00.000Z',
        latest: '2021-11-30T23:59:59.999Z',
      },
      'the server computed the bounds from the EDTF text',
    )
  },
)

t.test('bad commands are problems naming each field and rule, and change nothing', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  const post = poster(api)
  const visit = { visitor: harris, destination: paris, period: { edtf: '2021-11' }, sources }

  const schema = await post('/v1/visits', {
    visitor: { ...harris, country: 'usa' },
    destination: paris,
    period: { edtf: '2021-11', earliest: '2021-01-01T00:00:00.000Z', latest: null },
  })
  t.equal(schema.status, 400)
  isProblem(t, schema, 'invalid-request')
  const fields = schema.body.errors.map(
    (e: { field: string; rule: string }) => `${e.field} ${e.rule}`,
  )
  t.ok(fields.includes('/body/sources required'), 'a missing field')
  t.ok(fields.includes('/body/visitor/country pattern'), 'a field of the wrong shape')
  t.ok(
    fields.includes('/body/period/earliest additionalProperties'),
    'client-sent bounds are refused: the server computes them',
  )

  const domain = await post('/v1/visits', {
    ...visit,
    visitor: { ...harris, country: 'XX' },
    period: { edtf: 'next-month' },
  })
  t.equal(domain.status, 422)
  isProblem(t, domain, 'validation-failed')
  t.match(domain.body.errors, [{ field: '/period/edtf', rule: 'edtf-format', message: String }])

  const later = await post('/v1/visits', {
    ...visit,
    sources: [{ ...source, publishedAt: '2999-01-01' }],
  })
  t.equal(later.status, 422)
  t.match(later.body.errors, [
    { field: '/sources/0/publishedAt', rule: 'source-published-after-command' },
  ])

  const unknown = await post('/v1/visits/nowhere/cancel', { reason: 'x', sources })
  t.equal(unknown.status, 404)
  isProblem(t, unknown, 'not-found')

  const meeting = await post('/v1/meetings/nowhere/confirm', {
    date: { edtf: '2021-10-29' },
    sources,
  })
  t.equal(meeting.status, 404)

  t.equal((await post('/v1/visits', { ...visit, visitId: 'once' })).status, 201)
  const twice = await post('/v1/visits', { ...visit, visitId: 'once' })
  t.equal(twice.status, 409)
  isProblem(t, twice, 'visit-already-scheduled')

  const sameCountry = await post('/v1/relationships/FR/FR/cooperation', {
    area: 'economic',
    topic: 'Trade',
    sources,
  })
  t.equal(sameCountry.status, 422)
  t.match(sameCountry.body.errors, [{ rule: 'dyad-same-country' }])

  const badEvent = await post('/v1/events/not-a-uuid/corrections', {
    changes: { purpose: 'x' },
    reason: 'x',
    sources,
  })
  t.equal(badEvent.status, 400)
  t.match(badEvent.body.errors, [{ field: '/params/eventId', rule: 'format' }])

  const missing = await post('/v1/events/00000000-0000-4000-8000-000000000000/corrections', {
    changes: { purpose: 'x' },
    reason: 'x',
    sources,
  })
  t.equal(missing.status, 404)

  const scheduled = (await readStream(api.log.db, 'visit-once')).events[0]!
  const bounds = await post(`/v1/events/${scheduled.eventId}/corrections`, {
    changes: { period: { edtf: '2021-12', earliest: '2021-12-01T00:00:00.000Z' } },
    reason: 'x',
    sources,
  })
  t.equal(bounds.status, 422)
  t.match(bounds.body.errors, [{ field: '/changes/period/earliest', rule: 'computed-by-server' }])

  const anonymous = await api.app.inject({ method: 'POST', url: '/v1/visits', payload: visit })
  t.equal(anonymous.statusCode, 401, 'commands need an API key')

  t.equal(await countEvents(api.log.db), 1, 'only the one good command was recorded')
})

t.test(
  'If-Match pins the version: a stale ETag is a 412, the current one goes through',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    const post = poster(api)
    await post('/v1/visits', {
      visitId: 'v',
      visitor: harris,
      destination: paris,
      period: { edtf: '2021-11' },
      sources,
    })
    const engagement = (id: string) => ({
      engagement: {
        engagementId: id,
        kind: 'talks',
        title: 'Talks',
        period: { edtf: '2021-11-10' },
        status: 'tentative',
      },
      sources,
    })
    const current = await post('/v1/visits/v/engagements', engagement('a'), { 'if-match': '"1"' })
    t.equal(current.status, 201)
    t.equal(current.headers.etag, '"2"')

    const stale = await post('/v1/visits/v/engagements', engagement('b'), { 'if-match': '"1"' })
    t.equal(stale.status, 412)
    isProblem(t, stale, 'precondition-failed')
    t.match(stale.body.errors, [{ field: '/headers/if-match', rule: 'etag-current' }])

    const malformed = await post('/v1/visits/v/engagements', engagement('b'), {
      'if-match': 'W/"2"',
    })
    t.equal(malformed.status, 422)
    t.match(malformed.body.errors, [{ field: '/headers/if-match', rule: 'etag' }])

    t.equal(
      (await readStream(api.log.db, 'visit-v')).streamVersion,
      2,
      'the refusals wrote nothing',
    )
  },
)

t.test('Idempotency-Key: a retry replays the first answer and appends nothing', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  const post = poster(api)
  const call = {
    participants: [biden, macron],
    date: { edtf: '2021-10-22' },
    sources,
  }
  const key = { 'idempotency-key': 'call-2021-10-22' }
  const first = await post('/v1/calls', call, key)
  t.equal(first.status, 201)
  t.ok(first.body.id, 'the server chose the call id')
  const retry = await post('/v1/calls', call, key)
  t.equal(retry.status, 201)
  t.same(retry.body, first.body, 'the same answer')
  t.equal(retry.headers.location, first.headers.location)
  t.equal(retry.headers.etag, first.headers.etag)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(await countEvents(api.log.db), 1, 'one call recorded')

  const other = await post('/v1/calls', { ...call, topics: ['Another call'] }, key)
  t.equal(other.status, 422)
  isProblem(t, other, 'idempotency-key-reused')
  t.match(other.body.errors, [{ field: '/headers/idempotency-key', rule: 'same-request' }])

  const refused = await post(
    '/v1/visits/nowhere/cancel',
    { reason: 'x', sources },
    {
      'idempotency-key': 'cancel-nowhere',
    },
  )
  const refusedAgain = await post(
    '/v1/visits/nowhere/cancel',
    { reason: 'x', sources },
    {
      'idempotency-key': 'cancel-nowhere',
    },
  )
  t.equal(refused.status, 404)
  t.same(refusedAgain.body, refused.body, 'a refusal is replayed too')

  const badKey = await post('/v1/calls', call, { 'idempotency-key': 'has space' })
  t.equal(badKey.status, 400)
  t.match(badKey.body.errors, [{ field: '/headers/idempotency-key', rule: 'pattern' }])

  // Keys are the API key's own: another key may use the same one for another request.
  const otherKey = await api.app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: api.headers,
    payload: { name: 'writer', scopes: ['commands:write'] },
  })
  t.equal(otherKey.statusCode, 201)
  const writer = await api.app.inject({
    method: 'POST',
    url: '/v1/calls',
    headers: { authorization: `Bearer ${otherKey.json().key}`, ...key },
    payload: { ...call, topics: ['Another call'] },
  })
  t.equal(writer.statusCode, 201, 'the same key of another API key is another key')
})

t.test('Idempotency-Key: keys survive a restart and a crash before the answer', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  const call = { participants: [biden, macron], date: { edtf: '2021-10-22' }, sources }
  const key = { 'idempotency-key': 'restart-me' }
  const first = await poster(api)('/v1/calls', call, key)
  t.equal(first.status, 201)

  // A new process on the same database.
  const { buildApp } = await import('../../src/api/app.js')
  const { TEST_ADMIN_KEY } = await import('../helpers/api-keys.js')
  const restarted = await buildApp({
    readiness: [],
    adminKey: TEST_ADMIN_KEY,
    rateLimits: false,
    api: { log: api.log },
  })
  t.teardown(() => restarted.close())
  const after = await poster({ ...api, app: restarted })('/v1/calls', call, key)
  t.equal(after.status, 201)
  t.same(after.body, first.body, 'replayed after the restart')

  // The first attempt appended, then died before it could store its answer: its claim ran
  // out. The retry finds the events by the ids derived from the key.
  await sql`update idempotency_keys set status = 'pending', response_status = null,
              response_body = null, response_headers = null,
              locked_until = now() - interval '1 second'`.execute(api.log.db)
  const recovered = await poster(api)('/v1/calls', call, key)
  t.equal(recovered.status, 201)
  t.same(recovered.body, first.body, 'the answer rebuilt from the log')
  t.equal(await countEvents(api.log.db), 1, 'nothing appended twice')

  // While the first attempt still holds its claim, a retry is told to wait.
  await sql`update idempotency_keys set status = 'pending',
              locked_until = now() + interval '1 minute'`.execute(api.log.db)
  const busy = await poster(api)('/v1/calls', call, key)
  t.equal(busy.status, 409)
  isProblem(t, busy, 'idempotency-key-in-use')
  t.equal(busy.headers['retry-after'], '1')
})

t.test('Idempotency-Key replays on the embedded store (PGlite) too', async (t) => {
  const { openTestPglite } = await import('../helpers/postgres.js')
  const { buildApp } = await import('../../src/api/app.js')
  const { TEST_ADMIN_KEY, bearer } = await import('../helpers/api-keys.js')
  const log = await openTestPglite(t)
  const app = await buildApp({
    readiness: [],
    adminKey: TEST_ADMIN_KEY,
    rateLimits: false,
    api: { log },
  })
  t.teardown(() => app.close())
  const post = poster({ app, headers: bearer(TEST_ADMIN_KEY) })
  const call = { participants: [biden, macron], date: { edtf: '2021-10-22' }, sources }
  const key = { 'idempotency-key': 'pglite' }
  const first = await post('/v1/calls', call, key)
  const retry = await post('/v1/calls', call, key)
  t.equal(first.status, 201)
  t.same(retry.body, first.body)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal((await post('/v1/calls', { ...call, topics: ['x'] }, key)).status, 422)
})
