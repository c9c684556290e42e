import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { sql } from 'kysely'
import t from 'tap'
import { eventually, getter, isProblem, openTestApi, poster, type TestApi } from '../helpers/api.js'

const sources = [
  { publisher: 'The Associated Press', title: '[A report]', publishedAt: '2021-10-22' },
]
const biden = { id: 'Q6279', name: 'Joe Biden', country: 'US' }
const macron = { id: 'Q3052772', name: 'Emmanuel Macron', country: 'FR' }

/** Records `n` calls (one event each) and returns the call ids in order. */
async function recordCalls(api: TestApi, n: number, from = 0): Promise<string[]> {
  const post = poster(api)
  const ids: string[] = []
  for (let i = from; i < from + n; i++) {
    const callId = `call-${i}`
    const response = await post('/v1/calls', {
      callId,
      participants: [biden, macron],
      date: { edtf: '2021-10-22' },
      sources,
    })
    if (response.status !== 201) throw new Error(`call ${i}: ${response.status}`)
    ids.push(callId)
  }
  return ids
}

/** Every position in the log, in the order readers see it. */
async function logOrder(api: TestApi): Promise<number[]> {
  const { rows } = await sql<{ p: number }>`
    select global_position as p from events order by transaction_id, global_position`.execute(
    api.log.db,
  )
  return rows.map((r) => Number(r.p))
}

interface Message {
  id?: string
  event?: string
  data?: string
  comment?: string
}

/** An SSE connection that collects messages until closed. */
function openLive(base: string, headers: Record<string, string>, path = '/v1/events/live') {
  const messages: Message[] = []
  let buffer = ''
  let status = 0
  let contentType = ''
  let answered: http.IncomingHttpHeaders = {}
  let request!: http.ClientRequest
  const opened = new Promise<void>((resolve, reject) => {
    request = http.get(`${base}${path}`, { headers }, (response) => {
      status = response.statusCode ?? 0
      contentType = String(response.headers['content-type'])
      answered = response.headers
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const message: Message = {}
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) message.comment = line.slice(1).trim()
            else {
              const i = line.indexOf(': ')
              const field = line.slice(0, i) as keyof Message
              if (field === 'id' || field === 'event' || field === 'data')
                message[field] = line.slice(i + 2)
            }
          }
          messages.push(message)
          end = buffer.indexOf('\n\n')
        }
      })
      response.on('error', () => {})
      resolve()
    })
    request.on('error', reject)
  })
  return {
    opened,
    messages,
    get status() {
      return status
    },
    get contentType() {
      return contentType
    },
    get headers() {
      return answered
    },
    events: () => messages.filter((m) => m.id !== undefined),
    close: () => request.destroy(),
  }
}

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('GET /v1/events pages through the log in order, filtered by type and stream', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  const get = getter(api)
  await recordCalls(api, 7)
  const order = await logOrder(api)

  // Pages until every event was seen: a reader of the log also waits for older transactions
  // of other databases on the server (suites running beside this one), so a page may come
  // back empty and caught up before the events are visible.
  const seen: number[] = []
  let after = '0'
  await eventually(
    async () => {
      const response = await get(`/v1/events?after=${after}&limit=3`)
      t.equal(response.status, 200)
      seen.push(...response.body.items.map((e: { globalPosition: number }) => e.globalPosition))
      after = response.body.next
      return seen.length
    },
    (n) => n >= order.length,
    'every event in pages',
  )
  t.same(seen, order, 'every event once, in log order')
  const end = await get(`/v1/events?after=${after}`)
  t.same(end.body.items, [])
  t.equal(end.body.next, after, 'a reader polls on from where it stands')
  t.equal(end.body.caughtUp, true)

  const first = (await get('/v1/events?limit=1')).body.items[0]
  t.match(first, {
    eventId: String,
    streamId: 'call-call-0',
    streamVersion: 1,
    type: 'CallRecorded',
    schemaVersion: Number,
    data: { callId: 'call-0' },
    metadata: { actor: /ENTENTE_ADMIN_KEY/, sources },
    recordedAt: String,
    hash: /^[0-9a-f]{64}$/,
    prevHash: null,
  })

  const byStream = await get('/v1/events?stream=call-call-3')
  t.same(
    byStream.body.items.map((e: { streamId: string }) => e.streamId),
    ['call-call-3'],
    'exactly that stream (not call-call-30…)',
  )
  const byType = await get('/v1/events?type=VisitScheduled&type=CallRecorded&limit=100')
  t.equal(byType.body.items.length, 7)
  const noneOfType = await get('/v1/events?type=VisitScheduled')
  t.same(noneOfType.body.items, [])
  const byPrefix = await get('/v1/events?streamPrefix=visit-')
  t.same(byPrefix.body.items, [])

  const unknown = await get('/v1/events?after=99999')
  t.equal(unknown.status, 422)
  isProblem(t, unknown, 'validation-failed')
  t.match(unknown.body.errors, [{ field: '/query/after', rule: 'known-position' }])
  const negative = await get('/v1/events?after=-1')
  t.equal(negative.status, 400)
  t.match(negative.body.errors, [{ field: '/querystring/after', rule: 'minimum' }])
  const tooMany = await get('/v1/events?limit=100000')
  t.equal(tooMany.status, 400)
})

t.test(
  'the live stream sends every event with its position as id; a client that reconnects with Last-Event-ID misses nothing',
  async (t) => {
    const api = await openTestApi(t, { heartbeatMs: 100 }, { projections: false })
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' })
    await recordCalls(api, 5)

    const live = openLive(base, api.headers)
    await live.opened
    t.equal(live.status, 200)
    t.match(live.contentType, /^text\/event-stream/)
    await until('the first five events', () => live.events().length >= 5)
    // More while it listens.
    await recordCalls(api, 3, 5)
    await until('eight events', () => live.events().length >= 8)
    await until('a heartbeat', () => live.messages.some((m) => m.comment === 'heartbeat'))
    const lastSeen = live.events().at(-1)!.id!
    live.close()

    // Appended while the client is away.
    await recordCalls(api, 4, 8)
    const resumed = openLive(base, { ...api.headers, 'last-event-id': lastSeen })
    await resumed.opened
    await until('the four missed events', () => resumed.events().length >= 4)
    await recordCalls(api, 2, 12)
    await until('two more', () => resumed.events().length >= 6)
    resumed.close()

    const ids = [...live.events(), ...resumed.events()].map((m) => Number(m.id))
    t.same(ids, await logOrder(api), 'every event exactly once, in log order, across the reconnect')
    const message = resumed.events()[0]!
    t.equal(message.event, 'CallRecorded', 'the SSE event name is the event type')
    t.match(JSON.parse(message.data!), { streamId: 'call-call-8', type: 'CallRecorded' })

    const filtered = openLive(base, api.headers, '/v1/events/live?stream=call-call-2')
    await filtered.opened
    await until('the filtered event', () => filtered.events().length >= 1)
    await recordCalls(api, 1, 14)
    await new Promise((resolve) => setTimeout(resolve, 300))
    filtered.close()
    t.same(
      filtered.events().map((m) => JSON.parse(m.data!).streamId),
      ['call-call-2'],
      'only the stream asked for',
    )

    const bad = await fetch(`${base}/v1/events/live`, {
      headers: { ...api.headers, 'last-event-id': 'yesterday' },
    })
    t.equal(bad.status, 422)
    t.match(await bad.json(), { errors: [{ field: '/headers/last-event-id' }] })
    const anonymous = await fetch(`${base}/v1/events/live`)
    t.equal(anonymous.status, 401)
  },
)

t.test(
  'the live stream carries the security headers, and counts in the latency histogram once it ends',
  async (t) => {
    const api = await openTestApi(t)
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' })
    // The count of the stream's route in the latency histogram, from the exposition text.
    const histogram = async () => {
      const text = await api.app.requestMetrics.registry.metrics()
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(
            'entente_http_request_duration_seconds_count{method="GET",route="/v1/events/live"',
          ),
        )
      return line ? Number(line.split(' ').at(-1)) : 0
    }
    t.equal(await histogram(), 0, 'nothing counted before')

    const live = openLive(base, { ...api.headers, 'x-correlation-id': 'sse-headers-1' })
    await live.opened
    t.equal(live.status, 200)
    t.equal(live.headers['x-content-type-options'], 'nosniff')
    t.equal(live.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'")
    t.ok(live.headers['strict-transport-security'])
    t.equal(live.headers['x-frame-options'], 'DENY')
    t.equal(live.headers['x-correlation-id'], 'sse-headers-1')
    t.match(live.contentType, /^text\/event-stream/)
    live.close()
    const deadline = Date.now() + 10_000
    while ((await histogram()) === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
    t.equal(await histogram(), 1, 'the stream counted once, under its route')
  },
)

t.test(
  'a slow reader holds the live stream back instead of the server reading ahead',
  async (t) => {
    let reads = 0
    const api = await openTestApi(
      t,
      {},
      {
        projections: false,
        // Counts the queries of the log: the live stream's reads, once the setup is done.
        wrapLog: (log) => ({
          ...log,
          db: log.db.withPlugin({
            transformQuery: (args) => {
              reads++
              return args.node
            },
            transformResult: async (args) => args.result,
          }),
        }),
      },
    )
    // 4,000 events of 10 kB: 40 MB, far more than the sockets buffer (a few MB each way).
    const readout = 'x'.repeat(10_000)
    for (let batch = 0; batch < 40; batch++)
      await api.log.append(
        `call-bulk-${batch}`,
        Array.from({ length: 100 }, () => ({
          eventId: randomUUID(),
          type: 'CallRecorded',
          data: { readout },
        })),
        'no_stream',
      )
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' })
    reads = 0
    let received = 0
    let response!: http.IncomingMessage
    await new Promise<void>((resolve) => {
      http.get(`${base}/v1/events/live`, { headers: api.headers }, (r) => {
        response = r
        r.once('data', (chunk: Buffer) => {
          received += chunk.length
          r.pause()
          resolve()
        })
      })
    })
    // Wait until the server stops reading: it waits for the socket to drain.
    let last = -1
    for (let i = 0; i < 100 && reads !== last; i++) {
      last = reads
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    t.ok(reads < 40, `the server read ${reads} batches of 100 of the 40 in the log, then waited`)

    response.on('data', (chunk: Buffer) => {
      received += chunk.length
    })
    response.resume()
    await until('every event', () => received > 40_000_000, 60_000)
    response.destroy()
    t.ok(received > 40_000_000, 'every event arrives once the reader reads again')
  },
)
