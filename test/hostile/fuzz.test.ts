import fc from 'fast-check'
import t from 'tap'
import {
  type HostileApi,
  knownStrings,
  logHead,
  openSeededApi,
  problemFault,
  readModelDigest,
} from './harness.js'
import {
  anyJson,
  edit,
  hostileStrings,
  pathsOf,
  REMOVE,
  type Schema,
  setOwn,
  valid,
} from './openapi-arbitraries.js'

/**
 * Every operation of /openapi.json, fuzzed from its own schemas: requests that conform, and
 * the same with one thing broken (a member missing or added, a value of the wrong type or
 * hostile text, a broken path parameter, query or header, a body that is not an object or
 * not JSON). Never a 5xx; every 4xx is problem+json; a refused request appends nothing; no
 * request writes a read model itself (they are stopped while fuzzing: only the log feeds
 * them, and afterwards they must apply everything that was accepted).
 *
 * FUZZ_SEED replays a run (the seed is printed, and a failure names it); FUZZ_RUNS sets the
 * requests per operation.
 */
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const runs = Number(process.env.FUZZ_RUNS ?? 20)

interface Parameter {
  in: 'path' | 'query' | 'header'
  name: string
  required?: boolean
  schema: Schema
}

interface Operation {
  method: string
  path: string
  parameters: Parameter[]
  body?: Schema
  example?: unknown
}

interface FuzzRequest {
  method: string
  path: Record<string, string>
  query: Record<string, unknown>
  headers: Record<string, string>
  /** A JSON value, or raw text with its content type. */
  body?: { json: unknown } | { raw: string; type: string }
  mutation: string
}

function operationsOf(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>
}): Operation[] {
  const ops: Operation[] = []
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const content = (op.requestBody as { content?: Record<string, Record<string, unknown>> })
        ?.content?.['application/json']
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        body: content?.schema as Schema | undefined,
        example: content?.example,
      })
    }
  return ops
}

/** Header values HTTP can carry (CR, LF and NUL are tried over a raw socket elsewhere). */
const headerSafe = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)

/** Values that the schema leaves too loose to reach anything: what a client would send. */
const HEADER_VALUES: Record<string, fc.Arbitrary<string>> = {
  'if-match': fc.constantFrom('"0"', '"1"', '"2"', '"3"', '*', 'W/"1"', '"999999999999999"'),
  'last-event-id': fc.constantFrom('0', '1', '5', '-1', '999999999999'),
}

function parameterValue(p: Parameter, known: string[]): fc.Arbitrary<unknown> {
  if (p.in === 'header' && HEADER_VALUES[p.name]) return HEADER_VALUES[p.name]!
  const own = valid(p.schema)
  if (p.schema.type !== 'string') return own
  const pattern = p.schema.pattern ? new RegExp(p.schema.pattern) : undefined
  const max = p.schema.maxLength ?? Number.POSITIVE_INFINITY
  const fitting = known.filter((s) => (!pattern || pattern.test(s)) && s.length <= max)
  return fitting.length > 0 ? fc.oneof(fc.constantFrom(...fitting), own) : own
}

/** A request that conforms to the operation's schemas (or its documented example). */
function conforming(op: Operation, known: string[]): fc.Arbitrary<FuzzRequest> {
  const pick = (where: Parameter['in']) => {
    const ps = op.parameters.filter((p) => p.in === where)
    return fc.record(Object.fromEntries(ps.map((p) => [p.name, parameterValue(p, known)])), {
      requiredKeys: ps.filter((p) => p.required).map((p) => p.name),
    })
  }
  const body = op.body
    ? op.example !== undefined
      ? fc.oneof(
          { arbitrary: fc.constant(op.example), weight: 2 },
          { arbitrary: valid(op.body), weight: 1 },
        )
      : valid(op.body)
    : fc.constant(undefined)
  return fc
    .record({ path: pick('path'), query: pick('query'), headers: pick('header'), body })
    .map(({ path, query, headers, body }) => ({
      method: op.method,
      path: path as Record<string, string>,
      query,
      headers: headers as Record<string, string>,
      body: body === undefined ? undefined : { json: body },
      mutation: 'none',
    }))
}

/** The same request with one thing broken. */
function mutated(op: Operation, request: FuzzRequest): fc.Arbitrary<FuzzRequest> {
  const options: fc.Arbitrary<FuzzRequest>[] = [fc.constant(request)]
  const json = request.body && 'json' in request.body ? request.body.json : undefined
  if (json !== undefined) {
    const paths = pathsOf(json)
    const at = fc.nat().map((i) => paths[i % paths.length]!)
    const withBody = (mutation: string, value: unknown): FuzzRequest => ({
      ...request,
      body: { json: value },
      mutation,
    })
    options.push(
      at
        .filter((p) => p.length > 0)
        .map((p) =>
          withBody(
            `remove ${p.join('/')}`,
            edit(json, p, () => REMOVE),
          ),
        ),
      fc.tuple(at, anyJson).map(([p, v]) =>
        withBody(
          `replace /${p.join('/')}`,
          edit(json, p, () => v),
        ),
      ),
      fc.tuple(at, hostileStrings).map(([p, v]) =>
        withBody(
          `hostile text at /${p.join('/')}`,
          edit(json, p, () => v),
        ),
      ),
      fc.tuple(at, hostileStrings, anyJson).map(([p, key, v]) =>
        withBody(
          `extra member ${JSON.stringify(key)} at /${p.join('/')}`,
          edit(json, p, (old) => {
            if (!old || typeof old !== 'object' || Array.isArray(old)) return old
            const copy = { ...(old as Record<string, unknown>) }
            setOwn(copy, key, v)
            return copy
          }),
        ),
      ),
      fc
        .constantFrom(
          { raw: '', type: 'application/json' },
          { raw: '{', type: 'application/json' },
          { raw: '{"sources":[]', type: 'application/json' },
          { raw: `${JSON.stringify(json)}{}`, type: 'application/json' },
          { raw: JSON.stringify(json), type: 'text/plain' },
          { raw: JSON.stringify(json), type: 'application/x-www-form-urlencoded' },
          { raw: '\ufeff{}', type: 'application/json' },
          { raw: '{"a":1,"a":2}', type: 'application/json' },
          { raw: '{"__proto__":{"polluted":true}}', type: 'application/json' },
          { raw: '{"constructor":{"prototype":{"polluted":true}}}', type: 'application/json' },
        )
        .map((raw) => ({ ...request, body: raw, mutation: `raw body ${JSON.stringify(raw)}` })),
    )
  }
  for (const where of ['path', 'query', 'headers'] as const) {
    const names = op.parameters
      .filter((p) => (where === 'headers' ? p.in === 'header' : p.in === where))
      .map((p) => p.name)
    if (where === 'query') names.push('unknownParameter')
    if (names.length === 0) continue
    const values = fc.oneof(
      hostileStrings,
      anyJson.map((v) => JSON.stringify(v)),
    )
    options.push(
      fc
        .tuple(fc.constantFrom(...names), where === 'headers' ? values.filter(headerSafe) : values)
        .map(([name, value]) => ({
          ...request,
          [where]: { ...request[where], [name]: value },
          mutation: `${where} ${name} = ${JSON.stringify(value).slice(0, 80)}`,
        })),
    )
    if (where === 'query')
      options.push(
        fc.constantFrom(...names).map((name) => {
          const query = { ...request.query }
          delete query[name]
          return { ...request, query, mutation: `query without ${name}` }
        }),
      )
  }
  return fc.oneof(...options)
}

/**
 * Percent-encodes a path segment; a lone surrogate becomes the bytes it would have in WTF-8
 * (%ED%A0%80), which are not UTF-8: what a careless client sends.
 */
function encodeSegment(value: string): string {
  let out = ''
  for (const unit of value) {
    const code = unit.charCodeAt(0)
    if (unit.length === 1 && code >= 0xd800 && code <= 0xdfff)
      out += `%ED%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`
    else out += encodeURIComponent(unit)
  }
  return out
}

function urlOf(op: Operation, request: FuzzRequest): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name) =>
    encodeSegment(String(request.path[name] ?? '')),
  )
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(request.query))
    for (const v of [value].flat()) query.append(name, typeof v === 'string' ? v : String(v))
  const search = query.toString()
  return search ? `${path}?${search}` : path
}

interface Answer {
  status: number
  contentType: string | undefined
  body: unknown
}

async function send(api: HostileApi, base: string, op: Operation, r: FuzzRequest) {
  const url = urlOf(op, r)
  const headers: Record<string, string> = { ...api.headers, ...r.headers }
  let payload: string | undefined
  if (r.body && 'json' in r.body) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(r.body.json)
  } else if (r.body) {
    headers['content-type'] = r.body.type
    payload = r.body.raw
  }
  const parse = (type: string | undefined, text: string) =>
    /json/.test(type ?? '') && text ? JSON.parse(text) : text
  // The live stream never ends: read its status and headers over a socket, then hang up.
  if (op.path === '/v1/events/live') {
    const abort = new AbortController()
    const response = await fetch(`${base}${url}`, { headers, signal: abort.signal })
    const type = response.headers.get('content-type') ?? undefined
    if (response.status < 400) {
      abort.abort()
      return { status: response.status, contentType: type, body: undefined }
    }
    return { status: response.status, contentType: type, body: parse(type, await response.text()) }
  }
  const response = await api.app.inject({ method: r.method as 'GET', url, headers, payload })
  const type = response.headers['content-type'] as string | undefined
  return { status: response.statusCode, contentType: type, body: parse(type, response.body) }
}

t.test(
  'every operation of the OpenAPI document, fuzzed from its schemas: no 5xx, refusals are problems and change nothing',
  async (t) => {
    t.comment(`FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`)
    const api = await openSeededApi(t)
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' })
    const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const operations = operationsOf(doc)
    t.ok(operations.length >= 40, `${operations.length} operations in the document`)
    const known = await knownStrings(api.log)
    const digest = await readModelDigest(api.log)

    const statuses = new Map<number, number>()
    let requests = 0
    let serverErrors = 0
    for (const [index, op] of operations.entries()) {
      const name = `${op.method} ${op.path}`
      const arbitrary = conforming(op, known).chain((request) => mutated(op, request))
      const property = fc.asyncProperty(arbitrary, async (request) => {
        const before = await logHead(api.log)
        const answer: Answer = await send(api, base, op, request)
        requests++
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        const what = `${name} (${request.mutation}) answered ${answer.status} ${String(JSON.stringify(answer.body)).slice(0, 500)}`
        if (answer.status >= 500) {
          serverErrors++
          throw new Error(`a server error: ${what}`)
        }
        if (answer.status >= 400) {
          const fault = problemFault(
            answer.status,
            answer.contentType,
            answer.body,
            JSON.stringify(request),
          )
          if (fault) throw new Error(`${fault}: ${what}`)
          const after = await logHead(api.log)
          if (after !== before) throw new Error(`the log moved ${before} → ${after}: ${what}`)
        }
        if ((await readModelDigest(api.log)) !== digest)
          throw new Error(`a read model changed while the projections were stopped: ${what}`)
      })
      const result = await fc.check(property, { numRuns: runs, seed: seed + index })
      t.notOk(result.failed, `${name}: ${runs} requests`, {
        diagnostic: result.failed,
        replay: `FUZZ_SEED=${seed} (operation seed ${result.seed}, path ${result.counterexamplePath})`,
        counterexample: result.counterexample,
        error: result.errorInstance ? String(result.errorInstance) : undefined,
      })
    }

    // Everything accepted must be something the read models can apply.
    api.startProjections()
    await t.resolves(api.caughtUp(), 'the read models apply every accepted event')
    const verify = await api.app.inject({
      method: 'GET',
      url: '/v1/audit/verify',
      headers: api.headers,
    })
    t.equal(verify.statusCode, 200)
    t.match(verify.json(), { ok: true }, 'the hash chains of the log are intact')
    t.equal(serverErrors, 0, 'no 5xx')
    t.comment(
      `${operations.length} operations, ${requests} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}, 5xx: ${serverErrors}`,
    )
  },
)
