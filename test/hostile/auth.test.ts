import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../../src/api/app.js'
import { generateApiKey } from '../../src/api/auth/api-key.js'
import type { Scope } from '../../src/api/auth/scopes.js'
import { databaseKeyStore } from '../../src/app/api-keys.js'
import { eventually } from '../helpers/api.js'
import { bearer, keyWith, TEST_ADMIN_KEY } from '../helpers/api-keys.js'
import { openTestPostgres } from '../helpers/postgres.js'
import { logHead, problemFault } from './harness.js'

/**
 * Keys as an attacker sends them, against the real key store on Postgres: missing, malformed,
 * forged, revoked (through the admin route: at once; elsewhere: once the 5 s key cache
 * lapses) and lacking the scope. Every one is a 401 or 403 problem and writes nothing.
 */

const source = { publisher: 'Reuters', title: 'A report', publishedAt: '2021-10-22' }
const statement = {
  kind: 'remarks',
  issuer: { name: 'The Élysée', country: 'FR' },
  title: 'Remarks',
  date: { edtf: '2021-10-22' },
  sources: [source],
}

/** One route of each scope; a command among them, so that a refusal could have written. */
const ROUTES: { method: 'GET' | 'POST'; url: string; scope: Scope; body?: object }[] = [
  { method: 'POST', url: '/v1/statements', scope: 'commands:write', body: statement },
  { method: 'GET', url: '/v1/visits', scope: 'read' },
  { method: 'GET', url: '/v1/audit/verify', scope: 'audit:read' },
  { method: 'GET', url: '/metrics', scope: 'metrics' },
  { method: 'GET', url: '/v1/admin/keys', scope: 'admin' },
]

async function call(
  app: FastifyInstance,
  route: (typeof ROUTES)[number],
  headers: Record<string, string>,
) {
  const response = await app.inject({
    method: route.method,
    url: route.url,
    headers,
    ...(route.body ? { payload: route.body } : {}),
  })
  const type = String(response.headers['content-type'] ?? '')
  return {
    status: response.statusCode,
    type,
    body: /json/.test(type) ? response.json() : response.body,
    headers: response.headers,
  }
}

t.test(
  'missing, malformed, forged and wrong-scope keys are all denied, nothing written',
  async (t) => {
    const log = await openTestPostgres(t)
    const keys = databaseKeyStore(log.db)
    const app = await buildApp({
      readiness: [],
      keys,
      adminKey: TEST_ADMIN_KEY,
      rateLimits: false,
      api: { log },
    })
    t.teardown(() => app.close())
    const real = await keyWith(keys, 'read')
    const realId = real.slice(4, 16)
    const other = await keyWith(keys, 'commands:write')

    const denials: [string, Record<string, string>, number, string][] = [
      ['no Authorization', {}, 401, 'missing-api-key'],
      ['an empty Authorization', { authorization: '' }, 401, 'missing-api-key'],
      [
        'Basic credentials',
        { authorization: 'Basic YWRtaW46YWRtaW4=' },
        401,
        'malformed-authorization',
      ],
      ['Bearer alone', { authorization: 'Bearer' }, 401, 'malformed-authorization'],
      ['Bearer and spaces', { authorization: 'Bearer    ' }, 401, 'malformed-authorization'],
      ['two tokens', { authorization: `Bearer ${real} ${real}` }, 401, 'malformed-authorization'],
      ['a key without the scheme', { authorization: real }, 401, 'malformed-authorization'],
      ['a token scheme', { authorization: `Token ${real}` }, 401, 'malformed-authorization'],
      ['a forged key of the right form', bearer(generateApiKey().key), 401, 'invalid-api-key'],
      [
        'a known id with a forged secret',
        bearer(`ent_${realId}_${generateApiKey().key.slice(17)}`),
        401,
        'invalid-api-key',
      ],
      [
        'a known id with another key’s secret',
        bearer(`ent_${realId}_${other.slice(17)}`),
        401,
        'invalid-api-key',
      ],
      ['the key with a character more', bearer(`${real}A`), 401, 'invalid-api-key'],
      ['the key cut short', bearer(real.slice(0, -1)), 401, 'invalid-api-key'],
      ['the key in upper case', bearer(real.toUpperCase()), 401, 'invalid-api-key'],
      [
        'the admin key with a space inside',
        bearer(TEST_ADMIN_KEY.replace('-', ' -')),
        401,
        'malformed-authorization',
      ],
      ['SQL in the key', bearer("ent_'OR'1'='1';--_x"), 401, 'invalid-api-key'],
      ['a control character in the key', bearer(`ent_${realId}_\u0001`), 401, 'invalid-api-key'],
      ['a 12 KiB key', bearer(`ent_${realId}_${'A'.repeat(12_000)}`), 401, 'invalid-api-key'],
    ]
    const before = await logHead(log)
    let denied = 0
    for (const route of ROUTES) {
      for (const [what, headers, status, code] of denials) {
        const answer = await call(app, route, headers)
        const name = `${route.method} ${route.url}, ${what}`
        t.equal(answer.status, status, `${name}: ${status}`)
        t.equal(answer.body?.code, code, `${name}: ${code}`)
        t.notOk(problemFault(answer.status, answer.type, answer.body), `${name}: a problem`)
        t.match(answer.headers['www-authenticate'], /^Bearer realm="entente"/, `${name}: challenge`)
        denied++
      }
      // A key with every scope but this one (admin implies all, so it is never among them).
      const lacking = await keyWith(
        keys,
        ...(['commands:write', 'read', 'audit:read', 'metrics'] as const).filter(
          (s) => s !== route.scope,
        ),
      )
      const answer = await call(app, route, bearer(lacking))
      t.equal(answer.status, 403, `${route.method} ${route.url}, wrong scope: 403`)
      t.match(answer.body, { code: 'insufficient-scope', detail: new RegExp(route.scope) })
      t.notOk(problemFault(answer.status, answer.type, answer.body))
      denied++
    }
    t.equal(await logHead(log), before, 'no denied request appended anything')
    const admitted = await call(app, ROUTES[0]!, bearer(other))
    t.equal(admitted.status, 201, 'the right key with the right scope is admitted')
    t.comment(`${denied} denied requests`)
  },
)

t.test(
  'a key revoked through the admin route is refused at once by that instance, and by another instance once its 5 s key cache lapses',
  async (t) => {
    const log = await openTestPostgres(t)
    const open = async (keyCacheMs?: number) => {
      const app = await buildApp({
        readiness: [],
        keys: databaseKeyStore(log.db),
        adminKey: TEST_ADMIN_KEY,
        rateLimits: false,
        keyCacheMs,
        api: { log },
      })
      t.teardown(() => app.close())
      return app
    }
    // Two instances on one database, with the default key cache (5 s), and a third that
    // remembers keys for a minute: the window a revocation elsewhere can take.
    const [first, second, slow] = [await open(), await open(), await open(60_000)]
    const key = await keyWith(databaseKeyStore(log.db), 'commands:write', 'read')
    const read = { method: 'GET', url: '/v1/visits', scope: 'read' } as const
    for (const app of [first, second, slow])
      t.equal((await call(app, read, bearer(key))).status, 200, 'admitted before')

    const revoked = await first.inject({
      method: 'DELETE',
      url: `/v1/admin/keys/${key.slice(4, 16)}`,
      headers: bearer(TEST_ADMIN_KEY),
    })
    t.equal(revoked.statusCode, 200)

    const here = await call(first, ROUTES[0]!, bearer(key))
    t.equal(here.status, 401, 'the revoking instance refuses it at once')
    t.equal(here.body.code, 'api-key-revoked')
    t.notOk(problemFault(here.status, here.type, here.body))

    t.equal(
      (await call(slow, read, bearer(key))).status,
      200,
      'an instance that looked the key up recently still knows it as it was (its cache)',
    )
    const elsewhere = await eventually(
      () => call(second, read, bearer(key)),
      (answer) => answer.status !== 200,
      'the other instance to refuse the revoked key',
      30_000,
    )
    t.equal(elsewhere.status, 401, 'the other instance refuses it once its cache lapses')
    t.equal(elsewhere.body.code, 'api-key-revoked')
  },
)

t.test('rate limits: per key, and per address for every request without a valid key', async (t) => {
  const log = await openTestPostgres(t)
  const keys = databaseKeyStore(log.db)
  const app = await buildApp({
    readiness: [],
    keys,
    rateLimits: { perKey: 5, perAddress: 4, windowMs: 60_000 },
    api: { log },
  })
  t.teardown(() => app.close())
  const read = ROUTES[1]!
  const [one, two] = [await keyWith(keys, 'read'), await keyWith(keys, 'read')]

  const limited = (answer: Awaited<ReturnType<typeof call>>, what: string) => {
    t.equal(answer.status, 429, `${what}: 429`)
    t.equal(answer.body.code, 'rate-limited')
    t.notOk(problemFault(answer.status, answer.type, answer.body), `${what}: a problem`)
    t.ok(Number(answer.headers['retry-after']) > 0, `${what}: Retry-After`)
  }

  for (let i = 0; i < 5; i++) t.equal((await call(app, read, bearer(one))).status, 200)
  limited(await call(app, read, bearer(one)), 'the sixth request of a key')
  t.equal((await call(app, read, bearer(two))).status, 200, 'another key keeps its budget')

  // A forger who changes the key (or its form) at every request is still one address.
  const forged = [
    {},
    bearer(generateApiKey().key),
    { authorization: 'Basic eDp4' },
    bearer(generateApiKey().key),
  ]
  for (const headers of forged) t.equal((await call(app, read, headers)).status, 401)
  limited(await call(app, read, bearer(generateApiKey().key)), 'a fifth refused key')
  limited(await call(app, read, {}), 'no key after that')
  t.equal(
    (await call(app, read, bearer(two))).status,
    200,
    'a valid key from the same address is counted on its own',
  )
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200, 'health probes are not limited')
})
