import t from 'tap'
import { isProblem, openTestApi } from '../helpers/api.js'

/** A well-formed value for each path parameter of the contract. */
const PARAMS: Record<string, string> = {
  id: 'x',
  engagementId: 'e',
  personId: 'jane-doe',
  a: 'FR',
  b: 'US',
  frictionId: 'f',
  eventId: '00000000-0000-4000-8000-000000000000',
  streamId: 'visit-x',
}

t.test(
  'every /v1 route refuses a caller without a key, and every command a body without sources or with an unknown field',
  async (t) => {
    const api = await openTestApi(t, {}, { projections: false })
    const routes = api.app.routeScopes.filter(
      (r) => r.url.startsWith('/v1/') && !r.url.startsWith('/v1/admin/'),
    )
    const commands = routes.filter((r) => r.method === 'POST')
    t.equal(commands.length, 23, 'one route for each of the domain’s 23 commands')
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, (_, name: string) => PARAMS[name]!)
      const anonymous = await api.app.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'POST' ? {} : undefined,
      })
      t.equal(anonymous.statusCode, 401, `${route.method} ${route.url} without a key: 401`)
      t.match(anonymous.headers['content-type'], /^application\/problem\+json/)
    }
    for (const route of commands) {
      const url = route.url.replace(/:(\w+)/g, (_, name: string) => PARAMS[name]!)
      const empty = await api.app.inject({ method: 'POST', url, headers: api.headers, payload: {} })
      const answer = { status: empty.statusCode, body: empty.json(), headers: empty.headers }
      t.equal(empty.statusCode, 400, `${route.url} with {}: 400`)
      isProblem(t, answer, 'invalid-request')
      t.ok(
        answer.body.errors.some(
          (e: { field: string; rule: string }) =>
            e.field === '/body/sources' && e.rule === 'required',
        ),
        `${route.url}: sources are required`,
      )
      const unknown = await api.app.inject({
        method: 'POST',
        url,
        headers: api.headers,
        payload: { bogus: true, sources: [] },
      })
      t.equal(unknown.statusCode, 400)
      const fields = unknown
        .json()
        .errors.map((e: { field: string; rule: string }) => `${e.field} ${e.rule}`)
      t.ok(
        fields.includes('/body/bogus additionalProperties'),
        `${route.url}: unknown fields are refused`,
      )
      t.ok(fields.includes('/body/sources minItems'), `${route.url}: at least one source`)
    }
  },
)
