import { connect } from 'node:net'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/api/app.js'
import { bearer, TEST_ADMIN_KEY } from '../helpers/api-keys.js'
import { logHead, openSeededApi, problemFault, readModelDigest } from './harness.js'

/**
 * Hostile payloads, one by one: too big, too deep, injections, text Postgres cannot keep,
 * and header lines that are not HTTP. Each is refused with a 4xx problem that changes
 * nothing, or kept and given back exactly as sent.
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely
type Body = any

const source = { publisher: 'Reuters', title: 'A report', publishedAt: '2021-10-22' }

/** A statement body whose title is `title`. */
const statement = (title: string) => ({
  kind: 'remarks',
  issuer: { name: 'The Élysée', country: 'FR' },
  title,
  date: { edtf: '2021-10-22' },
  sources: [source],
})

t.test('hostile payloads against the seeded API', async (t) => {
  const api = await openSeededApi(t)
  const digest = await readModelDigest(api.log)

  const send = async (
    method: 'GET' | 'POST',
    url: string,
    payload?: string | object,
    headers: Record<string, string> = {},
  ) => {
    const response = await api.app.inject({
      method,
      url,
      payload: payload as string,
      headers: {
        ...api.headers,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
    })
    const type = String(response.headers['content-type'] ?? '')
    const body: Body = /json/.test(type) ? response.json() : response.body
    return { status: response.statusCode, type, body, headers: response.headers }
  }

  /** Refused with a problem of this status, naming `field` when given; nothing written. */
  const refused = async (
    t: Test,
    what: string,
    call: () => ReturnType<typeof send>,
    status: number,
    field?: string | RegExp,
  ) => {
    const before = await logHead(api.log)
    const answer = await call()
    t.equal(answer.status, status, `${what}: ${status}`)
    t.notOk(problemFault(answer.status, answer.type, answer.body), `${what}: a problem`)
    if (field)
      t.ok(
        (answer.body.errors ?? []).some((e: { field: string }) =>
          typeof field === 'string' ? e.field === field : field.test(e.field),
        ),
        // Quoted: a field with a control character would put it raw into the TAP output.
        `${what}: names ${JSON.stringify(String(field))}`,
        { errors: answer.body.errors },
      )
    t.equal(await logHead(api.log), before, `${what}: nothing appended`)
    return answer
  }

  // Straight from the table: /v1/events waits for older transactions anywhere on the server.
  const { event_id: eventId, stream_id: streamId } = await api.log.db
    .selectFrom('events')
    .select(['event_id', 'stream_id'])
    .where('event_type', '=', 'CallRecorded')
    .executeTakeFirstOrThrow()

  t.test('a body over the 1 MiB limit is a 413 problem', async (t) => {
    await refused(
      t,
      'a 2 MiB title',
      () => send('POST', '/v1/statements', statement('x'.repeat(2 * 1_048_576))),
      413,
    )
  })

  t.test('JSON nested 100,000 deep is refused with a 400, no stack overflow', async (t) => {
    const deep = (n: number, leaf = '1') => `${'{"a":'.repeat(n)}${leaf}${'}'.repeat(n)}`
    const correction = (changes: string) =>
      `{"changes":${changes},"reason":"x","sources":[${JSON.stringify(source)}]}`
    // Regression: a correction's changes may be any JSON, and walking 5,000 levels of it
    // overflowed the stack (a 500).
    for (const depth of [100_000, 5_000, 65])
      await refused(
        t,
        `changes nested ${depth} deep`,
        () => send('POST', `/v1/events/${eventId}/corrections`, correction(deep(depth))),
        400,
        /^\/body\/changes(\/a)+$/,
      )
    await refused(
      t,
      'arrays nested 100,000 deep as the body',
      () => send('POST', '/v1/statements', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      400,
    )
    await refused(
      t,
      'an object nested 100,000 deep as the body',
      () => send('POST', '/v1/statements', deep(100_000)),
      400,
    )
    const shallow = await send(
      'POST',
      `/v1/events/${eventId}/corrections`,
      correction(deep(10, '"x"')),
    )
    t.not(shallow.status, 400, 'ten levels are not refused for their depth')
    t.ok(shallow.status < 500)
  })

  t.test('SQL injection in text is stored and given back verbatim; tables intact', async (t) => {
    const titles = [
      "'; drop table events; --",
      "Robert'); DELETE FROM streams WHERE ('1'='1",
      "' or '1'='1' union select key_hash from api_keys --",
      "$1 $$ \\x27 E'\\\\'",
    ]
    for (const title of titles) {
      const created = await send('POST', '/v1/statements', statement(title))
      t.equal(created.status, 201, `accepted: ${title}`)
      const stored = await send('GET', `/v1/streams/${created.body.streamId}/events`)
      t.equal(stored.body.items[0].data.title, title, 'given back as sent')
    }
    const verify = await send('GET', '/v1/audit/verify')
    t.match(verify.body, { ok: true }, 'every table there, every hash chain intact')
    for (const query of [
      "stream=' or '1'='1",
      'stream=visit-1%27%3B%20drop%20table%20events%3B%20--',
      'streamPrefix=%25',
      'streamPrefix=_',
      "type=VisitScheduled' or '1'='1",
    ]) {
      const answer = await send('GET', `/v1/events?limit=5&${query}`)
      t.ok([200, 400].includes(answer.status), `${query}: ${answer.status}`)
      if (answer.status === 200) t.same(answer.body.items, [], `${query}: matches nothing`)
    }
    await refused(
      t,
      'a person id with a quote',
      () => send('GET', "/v1/visits?person=Q1'%20or%201=1--"),
      400,
      '/querystring/person',
    )
  })

  t.test('NUL characters are a 400 naming the field, wherever they are', async (t) => {
    // Regression: NUL in a query parameter reached Postgres, which refused it (a 500).
    for (const query of ['stream=%00', 'streamPrefix=a%00', 'type=A&stream=x%00y'])
      await refused(
        t,
        `/v1/events?${query}`,
        () => send('GET', `/v1/events?limit=5&${query}`),
        400,
        /^\/querystring\/stream/,
      )
    await refused(
      t,
      'NUL in a body value',
      () => send('POST', '/v1/statements', statement('a\u0000b')),
      400,
      '/body/title',
    )
    await refused(
      t,
      'NUL in a member name',
      () =>
        send('POST', `/v1/events/${eventId}/corrections`, {
          changes: { 'a\u0000': 1 },
          reason: 'x',
          sources: [source],
        }),
      400,
      '/body/changes/a\u0000',
    )
  })

  t.test('lone surrogates are a 400 naming the field; paired ones are kept', async (t) => {
    // Regression: "\ud800" passed the schema and jsonb refused it at the append (a 500).
    for (const [what, body, field] of [
      ['in a title', statement('x\ud800'), '/body/title'],
      [
        'a low one in a source',
        { ...statement('t'), sources: [{ ...source, title: '\udc00' }] },
        '/body/sources/0/title',
      ],
    ] as const)
      await refused(
        t,
        `a lone surrogate ${what}`,
        () => send('POST', '/v1/statements', body),
        400,
        field,
      )
    const title = 'Emoji 👩‍👩‍👧‍👦🇫🇷, right-to-left ‮abc‬, zero width ​, Z̤͔ͧ̑̓ä͖̭̈̇l͖͎g̞̥͈ͮ̒o'
    const created = await send('POST', '/v1/statements', statement(title))
    t.equal(created.status, 201)
    const stored = await send('GET', `/v1/streams/${created.body.streamId}/events`)
    t.equal(stored.body.items[0].data.title, title, 'unicode given back as sent')
  })

  t.test(
    'long strings: up to the limit kept verbatim, past it a 400 naming the field',
    async (t) => {
      const title = 'é'.repeat(300)
      const created = await send('POST', '/v1/statements', statement(title))
      t.equal(created.status, 201)
      const stored = await send('GET', `/v1/streams/${created.body.streamId}/events`)
      t.equal(stored.body.items[0].data.title, title)
      await refused(
        t,
        'a title of 301 characters',
        () => send('POST', '/v1/statements', statement('é'.repeat(301))),
        400,
        '/body/title',
      )
      await refused(
        t,
        'a stream id of 100,000 characters',
        () => send('GET', `/v1/streams/${'a'.repeat(100_000)}/events`),
        414,
      )
      // Regression: ids of 101 to 128 characters are valid but the router refused them with a
      // bare 414 (its default maxParamLength is 100).
      const long = await send('GET', `/v1/visits/${'v'.repeat(128)}`)
      t.equal(long.status, 404, 'a 128-character id reaches the route')
    },
  )

  t.test('numbers past what the columns hold are refused, not a database error', async (t) => {
    // Regression: If-Match "999999999999999" and ?from=2147483648 overflowed the integer
    // stream_version column (500s).
    await refused(
      t,
      'If-Match past the highest version',
      () => send('POST', '/v1/statements', statement('t'), { 'if-match': '"999999999999999"' }),
      422,
      '/headers/if-match',
    )
    await refused(
      t,
      'from past the highest version',
      () => send('GET', `/v1/streams/${streamId}/events?from=2147483648`),
      400,
      '/querystring/from',
    )
    await refused(
      t,
      'a position past the safe integers',
      () => send('GET', '/v1/events?after=99999999999999999999'),
      400,
      '/querystring/after',
    )
  })

  t.test('header values with control characters never reach a response header', async (t) => {
    for (const [name, value] of [
      ['idempotency-key', 'key\u0001one'],
      ['idempotency-key', ' '],
      ['idempotency-key', 'k'.repeat(256)],
      ['x-correlation-id', 'c\u007fd'],
      ['x-correlation-id', 'a b'],
    ])
      await refused(
        t,
        `${name}: ${JSON.stringify(value).slice(0, 30)}`,
        () => send('POST', '/v1/statements', statement('t'), { [name]: value }),
        400,
        `/headers/${name}`,
      )
    const read = await send('GET', '/v1/events?limit=1', undefined, {
      'x-correlation-id': 'c\u0001d',
      'x-request-id': 'r\u0001s',
    })
    t.equal(read.status, 200)
    t.notOk(String(read.headers['x-correlation-id']).includes('\u0001'), 'not echoed')
    t.notOk(String(read.headers['x-request-id']).includes('\u0001'), 'not echoed')
  })

  t.test('no read model changed through any of it', async (t) => {
    t.equal(await readModelDigest(api.log), digest)
  })
})

/** Writes raw bytes to a listening server and reads what comes back until it hangs up. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request))
    let answer = ''
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')))
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
  })
}

t.test(
  'request lines and headers that are not HTTP are a 400 problem from the server itself',
  async (t) => {
    // Regression: Node's parser refused these and Fastify answered its own plain JSON.
    const app = await buildApp({ readiness: [], adminKey: TEST_ADMIN_KEY })
    t.teardown(() => app.close())
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as { port: number }).port
    const auth = bearer(TEST_ADMIN_KEY).authorization
    for (const [what, request] of [
      [
        'a bare CR in Idempotency-Key',
        `POST /v1/admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nIdempotency-Key: a\rInjected: 1\r\nContent-Length: 0\r\n\r\n`,
      ],
      [
        'a NUL in x-correlation-id',
        `GET /v1/admin/keys HTTP/1.1\r\nHost: x\r\nx-correlation-id: a\u0000b\r\n\r\n`,
      ],
      [
        'a CR LF in the query',
        'GET /v1/admin/keys?a=b\r\nSet-Cookie: x HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      [
        'headers over 16 KiB',
        `GET /health/live HTTP/1.1\r\nHost: x\r\nx-pad: ${'p'.repeat(20_000)}\r\n\r\n`,
      ],
    ] as const) {
      const answer = await raw(port, request)
      const [head = '', body = ''] = answer.split('\r\n\r\n')
      t.match(head, /^HTTP\/1\.1 4\d\d /, `${what}: a 4xx`)
      t.match(head, /content-type: application\/problem\+json/i, `${what}: problem+json`)
      t.notMatch(head, /injected|set-cookie/i, `${what}: nothing injected`)
      const problem = JSON.parse(body)
      t.match(problem, { type: /^urn:entente:problem:/, title: String, status: Number }, what)
    }
    const ok = await raw(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    t.match(ok, /^HTTP\/1\.1 200 /, 'the server still answers')
  },
)
