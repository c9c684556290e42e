import t from 'tap'
import { buildApp } from '../../src/api/app.js'
import { pingDatabase } from '../../src/app/event-log.js'
import { openTestPostgres } from '../helpers/postgres.js'

t.test('liveness answers ok without touching dependencies', async (t) => {
  const app = await buildApp({
    readiness: [{ name: 'database', check: () => Promise.reject(new Error('down')) }],
  })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'ok' })
  t.ok(response.headers['x-request-id'], 'every response carries its request id')
})

t.test(
  'readiness is 200 when the real Postgres answers and 503 naming the check when it does not',
  async (t) => {
    const log = await openTestPostgres(t)
    const app = await buildApp({
      readiness: [{ name: 'database', check: () => pingDatabase(log) }],
    })
    t.teardown(() => app.close())
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(ready.statusCode, 200)
    t.equal(ready.json().status, 'ready')
    t.equal(ready.json().checks.database.status, 'up')

    await log.close()
    const down = await app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(down.statusCode, 503)
    t.equal(down.json().status, 'unavailable')
    t.equal(down.json().checks.database.status, 'down')
    t.type(down.json().checks.database.error, 'string')
  },
)

t.test(
  'an unknown route is a problem+json 404 with a stable code and the caller’s request id',
  async (t) => {
    const app = await buildApp({ readiness: [] })
    t.teardown(() => app.close())
    const response = await app.inject({
      method: 'GET',
      url: '/v1/nothing',
      headers: { 'x-request-id': 'req-42' },
    })
    t.equal(response.statusCode, 404)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.match(response.json(), {
      type: 'urn:entente:problem:route-not-found',
      status: 404,
      code: 'route-not-found',
      requestId: 'req-42',
    })
  },
)

t.test('an unexpected error is a 500 problem that leaks no internals', async (t) => {
  const app = await buildApp({
    readiness: [],
  })
  app.get('/boom', { config: { scope: 'public' } }, async () => {
    throw new Error('relation "secret_table" does not exist at /srv/app.ts:12')
  })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/boom' })
  t.equal(response.statusCode, 500)
  t.equal(response.json().code, 'internal-error')
  t.notMatch(response.body, /secret_table|\.ts|at /)
})

t.test('the OpenAPI document is served and lists the health routes', async (t) => {
  const app = await buildApp({ readiness: [] })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const doc = response.json()
  t.equal(doc.openapi, '3.1.0')
  t.ok(doc.paths['/health/live']?.get, 'liveness is documented')
  t.ok(doc.paths['/health/ready']?.get?.responses?.['503'], 'readiness documents its 503')
  t.ok(doc.components.schemas.Problem, 'the problem schema keeps its name')
  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(docs.statusCode, 200)
})

t.test(
  'a check that is not critical is reported when down but leaves the service ready',
  async (t) => {
    const app = await buildApp({
      readiness: [
        { name: 'database', check: async () => 'fine' },
        { name: 'relay', critical: false, check: () => Promise.reject(new Error('broker away')) },
      ],
    })
    t.teardown(() => app.close())
    const response = await app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(response.statusCode, 200)
    t.equal(response.json().status, 'ready')
    t.match(response.json().checks, {
      database: { status: 'up', detail: 'fine' },
      relay: { status: 'down', error: 'broker away', critical: false },
    })
  },
)
