import t from 'tap'
import { buildApp } from '../../src/api/app.js'
import { generateApiKey } from '../../src/api/auth/api-key.js'
import { memoryKeyStore } from '../../src/api/auth/key-store.js'
import { SCOPES, type Scope } from '../../src/api/auth/scopes.js'
import { databaseKeyStore } from '../../src/app/api-keys.js'
import { bearer, keyWith, TEST_ADMIN_KEY } from '../helpers/api-keys.js'
import { openTestPostgres } from '../helpers/postgres.js'

t.test('a route without a key is 401 problem+json with WWW-Authenticate', async (t) => {
  const app = await buildApp({ readiness: [] })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/v1/admin/keys' })
  t.equal(response.statusCode, 401)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="entente"')
  t.match(response.json(), { code: 'missing-api-key', status: 401 })
})

t.test('an Authorization header that is not a bearer key is 401 malformed', async (t) => {
  const app = await buildApp({ readiness: [] })
  t.teardown(() => app.close())
  const response = await app.inject({
    method: 'GET',
    url: '/v1/admin/keys',
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'malformed-authorization')
  t.match(response.headers['www-authenticate'], /error="invalid_request"/)
})

t.test('forged keys are refused alike: unknown id, known id with a wrong secret', async (t) => {
  const keys = memoryKeyStore()
  const app = await buildApp({ readiness: [], keys })
  t.teardown(() => app.close())
  const real = await keyWith(keys, 'admin')
  const id = real.slice(4, 16)
  const wrongSecret = `ent_${id}_${generateApiKey().key.slice(-43)}`
  for (const key of [generateApiKey().key, wrongSecret, `${real}x`, 'not-a-key']) {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/admin/keys',
      headers: bearer(key),
    })
    t.equal(response.statusCode, 401, `refused: ${key.slice(0, 20)}…`)
    t.equal(response.json().code, 'invalid-api-key')
    t.match(response.headers['www-authenticate'], /error="invalid_token"/)
  }
  const ok = await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(real) })
  t.equal(ok.statusCode, 200, 'the real key opens the route')
})

t.test('a key without the route’s scope is 403 naming the scope', async (t) => {
  const keys = memoryKeyStore()
  const app = await buildApp({ readiness: [], keys })
  t.teardown(() => app.close())
  const reader = await keyWith(keys, 'read', 'commands:write', 'audit:read')
  const response = await app.inject({
    method: 'GET',
    url: '/v1/admin/keys',
    headers: bearer(reader),
  })
  t.equal(response.statusCode, 403)
  t.match(response.json(), { code: 'insufficient-scope', detail: /lacks the scope admin/ })
  t.match(response.headers['www-authenticate'], /error="insufficient_scope", scope="admin"/)
})

t.test('keys are created, listed and revoked through the admin routes', async (t) => {
  const log = await openTestPostgres(t)
  const keys = databaseKeyStore(log.db)
  const app = await buildApp({ readiness: [], keys, adminKey: TEST_ADMIN_KEY })
  t.teardown(() => app.close())

  const created = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: bearer(TEST_ADMIN_KEY),
    payload: { name: 'itinerary importer', scopes: ['commands:write', 'read'] },
  })
  t.equal(created.statusCode, 201)
  const { id, key } = created.json()
  t.match(key, /^ent_[0-9a-f]{12}_/)
  t.equal(key.slice(4, 16), id, 'the id is visible in the key')

  const list = await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(key) })
  t.equal(list.statusCode, 403, 'the new key is no admin')

  const listed = await app.inject({
    method: 'GET',
    url: '/v1/admin/keys',
    headers: bearer(TEST_ADMIN_KEY),
  })
  t.same(listed.json().items, [
    {
      id,
      name: 'itinerary importer',
      scopes: ['commands:write', 'read'],
      createdAt: created.json().createdAt,
      revokedAt: null,
    },
  ])
  t.notMatch(listed.body, key.slice(17), 'the secret is never listed')
  const [row] = await log.db.selectFrom('api_keys').selectAll().execute()
  t.notMatch(JSON.stringify(row), key.slice(17), 'the secret is not stored, only its hash')
  t.equal(row?.key_hash.length, 32)

  const revoked = await app.inject({
    method: 'DELETE',
    url: `/v1/admin/keys/${id}`,
    headers: bearer(TEST_ADMIN_KEY),
  })
  t.equal(revoked.statusCode, 200)
  t.type(revoked.json().revokedAt, 'string')

  const refused = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: bearer(key),
    payload: { name: 'x', scopes: ['read'] },
  })
  t.equal(refused.statusCode, 401, 'a revoked key is refused at once in this process')
  t.equal(refused.json().code, 'api-key-revoked')

  const unknown = await app.inject({
    method: 'DELETE',
    url: '/v1/admin/keys/0123456789ab',
    headers: bearer(TEST_ADMIN_KEY),
  })
  t.equal(unknown.statusCode, 404)

  const bad = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: bearer(TEST_ADMIN_KEY),
    payload: { name: 'x', scopes: ['everything'] },
  })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'invalid-request')
})

t.test(
  'a key revoked in the store by another process is refused once the cache lapses',
  async (t) => {
    const keys = memoryKeyStore()
    const app = await buildApp({ readiness: [], keys, keyCacheMs: 0 })
    t.teardown(() => app.close())
    const key = await keyWith(keys, 'admin')
    const before = await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(key) })
    t.equal(before.statusCode, 200)
    await keys.revoke(key.slice(4, 16))
    const after = await app.inject({ method: 'GET', url: '/v1/admin/keys', headers: bearer(key) })
    t.equal(after.statusCode, 401)
    t.equal(after.json().code, 'api-key-revoked')
  },
)

t.test(
  'rate limits count per key, and per address without a key, with a 429 problem',
  async (t) => {
    const keys = memoryKeyStore()
    const app = await buildApp({
      readiness: [],
      keys,
      rateLimits: { perKey: 3, perAddress: 2, windowMs: 60_000 },
    })
    t.teardown(() => app.close())
    const first = await keyWith(keys, 'admin')
    const second = await keyWith(keys, 'admin')
    const get = (headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url: '/v1/admin/keys', headers })

    for (let i = 0; i < 3; i++) t.equal((await get(bearer(first))).statusCode, 200)
    const limited = await get(bearer(first))
    t.equal(limited.statusCode, 429)
    t.match(limited.headers['content-type'], /^application\/problem\+json/)
    t.equal(limited.json().code, 'rate-limited')
    t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back')
    t.equal((await get(bearer(second))).statusCode, 200, 'another key has its own budget')

    t.equal((await get()).statusCode, 401)
    t.equal((await get(bearer(generateApiKey().key))).statusCode, 401)
    t.equal((await get()).statusCode, 429, 'refused requests count against their address')
    const live = await app.inject({ method: 'GET', url: '/health/live' })
    t.equal(live.statusCode, 200, 'health probes are never limited')
  },
)

t.test('ENTENTE_ADMIN_KEY opens every scope; admin implies them all', async (t) => {
  const app = await buildApp({ readiness: [], adminKey: TEST_ADMIN_KEY })
  app.get('/probe/:scope', { config: { scope: 'read' } }, async (request) => request.principal)
  t.teardown(() => app.close())
  const response = await app.inject({
    method: 'GET',
    url: '/probe/read',
    headers: bearer(TEST_ADMIN_KEY),
  })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { keyId: 'environment', name: 'ENTENTE_ADMIN_KEY', scopes: ['admin'] })
})

t.test(
  'responses carry security headers; the docs page keeps a CSP that lets it run',
  async (t) => {
    const app = await buildApp({ readiness: [] })
    t.teardown(() => app.close())
    const api = await app.inject({ method: 'GET', url: '/health/live' })
    t.equal(api.headers['x-content-type-options'], 'nosniff')
    t.equal(api.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'")
    t.equal(api.headers['x-frame-options'], 'DENY')
    t.match(api.headers['strict-transport-security'], /^max-age=\d+/)
    const docs = await app.inject({ method: 'GET', url: '/docs/' })
    t.equal(docs.statusCode, 200, 'the docs page is public')
    t.match(docs.headers['content-security-policy'], /img-src 'self' data: validator\.swagger\.io/)
    t.notMatch(docs.headers['content-security-policy'], /upgrade-insecure-requests/)
    const asset = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })
    t.equal(asset.statusCode, 200, 'its assets are public too')
  },
)

t.test('a body over the limit is a 413 problem, and no write happens without a key', async (t) => {
  const app = await buildApp({ readiness: [], adminKey: TEST_ADMIN_KEY, bodyLimit: 1_000 })
  t.teardown(() => app.close())
  const big = { name: 'x'.repeat(2_000), scopes: ['read'] }
  const tooLarge = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: bearer(TEST_ADMIN_KEY),
    payload: big,
  })
  t.equal(tooLarge.statusCode, 413)
  t.match(tooLarge.headers['content-type'], /^application\/problem\+json/)
  const anonymous = await app.inject({ method: 'POST', url: '/v1/admin/keys', payload: big })
  t.equal(anonymous.statusCode, 401, 'refused before the body is read')
})

t.test('the correlation id is the caller’s x-correlation-id, else the request id', async (t) => {
  const app = await buildApp({ readiness: [] })
  app.get('/probe', { config: { scope: 'public' } }, async (request) => ({
    correlationId: request.correlationId,
  }))
  t.teardown(() => app.close())
  const given = await app.inject({
    method: 'GET',
    url: '/probe',
    headers: { 'x-correlation-id': 'order-77' },
  })
  t.same(given.json(), { correlationId: 'order-77' })
  t.equal(given.headers['x-correlation-id'], 'order-77')
  const own = await app.inject({ method: 'GET', url: '/probe', headers: { 'x-request-id': 'r-1' } })
  t.same(own.json(), { correlationId: 'r-1' })
})

/** A value for a path parameter; validation may still refuse it, after the scope check. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, 'x').replace(/\*$/, 'x')
}

t.test(
  'scope matrix: every route refuses no key and a key without its scope, and admits one with it',
  async (t) => {
    const log = await openTestPostgres(t)
    const keys = databaseKeyStore(log.db)
    // With the /v1 routes: every route the app has is in the matrix.
    const app = await buildApp({ readiness: [], keys, rateLimits: false, api: { log } })
    t.teardown(() => app.close())
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const keyFor = new Map<Scope, { having: string; lacking: string }>()
    for (const scope of SCOPES)
      keyFor.set(scope, {
        having: await keyWith(keys, scope),
        lacking: await keyWith(keys, ...SCOPES.filter((s) => s !== scope && s !== 'admin')),
      })

    // Status only: the body may be a stream that never ends (server-sent events).
    const status = async (method: string, url: string, headers: Record<string, string> = {}) => {
      const withBody = method !== 'GET' && method !== 'DELETE'
      const response = await fetch(`${base}${concrete(url)}`, {
        method,
        headers: withBody ? { 'content-type': 'application/json', ...headers } : headers,
        body: withBody ? '{}' : undefined,
      })
      await response.body?.cancel()
      return response.status
    }

    t.ok(app.routeScopes.length > 40, 'the routes were recorded')
    t.ok(
      app.routeScopes.some((r) => r.method === 'POST' && r.url === '/v1/visits'),
      'the command routes are in it',
    )
    for (const route of app.routeScopes) {
      const name = `${route.method} ${route.url} (${route.scope})`
      if (route.scope === 'public') {
        t.notOk([401, 403].includes(await status(route.method, route.url)), `${name} is open`)
        continue
      }
      const { having, lacking } = keyFor.get(route.scope)!
      t.equal(await status(route.method, route.url), 401, `${name}: no key`)
      t.equal(await status(route.method, route.url, bearer(lacking)), 403, `${name}: lacking`)
      const admitted = await status(route.method, route.url, bearer(having))
      t.notOk([401, 403].includes(admitted), `${name}: with its scope (${admitted})`)
    }
  },
)
