import t, { type Test } from 'tap'
import { buildApp } from '../../src/api/app.js'

/** An app with a route that fails with `error`. */
async function failingWith(t: Test, error: Error) {
  const app = await buildApp({ readiness: [] })
  app.get('/fails', { config: { scope: 'public' } }, async () => {
    throw error
  })
  t.teardown(() => app.close())
  return app.inject({ method: 'GET', url: '/fails' })
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

t.test('a database that cannot be reached or cannot serve now is a 503 problem', async (t) => {
  const refused = Object.assign(
    new AggregateError([withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')], ''),
    { code: 'ECONNREFUSED' },
  )
  const cases: Error[] = [
    refused,
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('connection failure', '08006'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error('timeout expired'),
  ]
  for (const error of cases) {
    const response = await failingWith(t, error)
    t.equal(response.statusCode, 503, error.message || 'ECONNREFUSED')
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.headers['retry-after'], '1', 'with Retry-After')
    t.match(response.json(), {
      status: 503,
      code: 'unavailable',
      type: 'urn:entente:problem:unavailable',
    })
    t.notMatch(response.body, /ECONN|127\.0\.0\.1|5432|terminating|starting up|Connection|timeout/)
  }
})

t.test('other database errors stay 500s that say nothing', async (t) => {
  const response = await failingWith(t, withCode('syntax error at or near "selct"', '42601'))
  t.equal(response.statusCode, 500)
  t.equal(response.json().code, 'internal-error')
  t.notMatch(response.body, /selct|syntax/)
})
