import SwaggerParser from '@apidevtools/swagger-parser'
import t from 'tap'
import { EVENT_SCHEMAS } from '../../src/domain/event-schemas.js'
import { openTestApi } from '../helpers/api.js'

type Operation = {
  operationId?: string
  tags?: string[]
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>
  requestBody?: { content?: Record<string, { example?: unknown }> }
}

t.test('the OpenAPI document validates and documents every route with its responses', async (t) => {
  const { app } = await openTestApi(t, {}, { projections: false })
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const doc = response.json()
  t.equal(doc.openapi, '3.1.0')

  // Validation dereferences in place: give it a copy.
  await t.resolves(SwaggerParser.validate(structuredClone(doc)), 'a valid OpenAPI 3.1 document')

  const paths = doc.paths as Record<string, Record<string, Operation>>
  const routes = app.routeScopes.filter(
    (r) => r.url.startsWith('/v1/') && !['HEAD', 'OPTIONS'].includes(r.method.toUpperCase()),
  )
  t.ok(routes.length >= 35, `${routes.length} routes`)
  const operationIds = new Set<string>()
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}')
    const operation = paths[path]?.[route.method.toLowerCase()]
    t.ok(operation, `${route.method} ${path} is documented`)
    if (!operation) continue
    const statuses = Object.keys(operation.responses ?? {})
    t.ok(
      statuses.some((s) => s.startsWith('2')),
      `${route.method} ${path} documents its success`,
    )
    t.ok(
      statuses.some((s) => s.startsWith('4')),
      `${route.method} ${path} documents its problems`,
    )
    // The admin and health routes are the auth helper's and the shell's; the rest are the contract's.
    if (!path.startsWith('/v1/') || path.startsWith('/v1/admin/')) continue
    t.ok(operation.operationId, `${route.method} ${path} has an operationId`)
    t.notOk(operationIds.has(operation.operationId!), 'operationIds are unique')
    operationIds.add(operation.operationId!)
    t.ok(operation.tags?.length, `${route.method} ${path} has a tag`)
    t.not(route.scope, 'admin', `${route.method} ${path} declares its own scope`)
  }

  const scopes = Object.fromEntries(routes.map((r) => [`${r.method} ${r.url}`, r.scope]))
  t.equal(scopes['POST /v1/visits'], 'commands:write')
  t.equal(scopes['GET /v1/visits/:id'], 'read')
  t.equal(scopes['GET /v1/events/live'], 'read')
  t.equal(scopes['GET /v1/streams/:streamId/history'], 'audit:read')
  t.equal(scopes['GET /v1/audit/verify'], 'audit:read')

  const schedule = paths['/v1/visits']!.post!
  // @fastify/swagger moves a schema's examples to the media type's example.
  const example = schedule.requestBody?.content?.['application/json']?.example
  t.match(example, {
    visitor: { name: 'Kamala Harris' },
    period: { edtf: '2021-11', phrase: 'next month' },
    sources: [{ publisher: 'The White House' }, { publisher: 'The Associated Press' }],
  })
  t.notMatch(
    JSON.stringify(example),
    /"earliest"|"latest"/,
    'examples send dates as EDTF text only',
  )
  t.ok(schedule.responses?.['201'], 'scheduling answers 201')
  t.ok(doc.components.schemas.Problem && doc.components.schemas.CommandResult)
  const eventData = Object.keys(doc.components.schemas).filter((n) => n.startsWith('EventData.'))
  t.ok(eventData.includes('EventData.VisitScheduled.v1'), 'event data schemas are documented')
  t.equal(eventData.length, Object.keys(EVENT_SCHEMAS).length, 'one data schema per event type')
  t.ok(
    paths['/v1/events/live']!.get!.responses?.['200']?.content?.['text/event-stream'],
    'the live stream is documented as text/event-stream',
  )
  t.ok(
    paths['/v1/itineraries/{personId}']!.get!.responses?.['200']?.content?.['text/calendar'],
    'itineraries are documented as iCalendar too',
  )
})

t.test('the ETag and Location response headers are documented', async (t) => {
  const { app } = await openTestApi(t, {}, { projections: false })
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
  t.ok(doc.paths['/v1/visits'].post.responses['201'].headers.etag, 'a command’s ETag')
  t.ok(doc.paths['/v1/visits'].post.responses['201'].headers.location, 'its Location')
  t.ok(doc.paths['/v1/visits/{id}'].get.responses['200'].headers.etag, 'a read’s ETag')
  t.ok(doc.paths['/v1/streams/{streamId}/history'].get.responses['200'].headers.etag)
})

t.test('every command documents an example body that its schema accepts', async (t) => {
  const api = await openTestApi(t, {}, { projections: false })
  const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json()
  const posts = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
    ([path, item]) =>
      item.post && path.startsWith('/v1/') && !path.startsWith('/v1/admin/')
        ? [[path, item.post] as const]
        : [],
  )
  t.equal(posts.length, 23)
  for (const [path, operation] of posts) {
    const example = operation.requestBody?.content?.['application/json']?.example
    t.ok(example, `${path} has an example`)
    const url = path
      .replace('{a}', 'US')
      .replace('{b}', 'FR')
      .replace('{eventId}', '00000000-0000-4000-8000-000000000000')
      .replace('{personId}', 'douglas-emhoff')
      .replace(/\{\w+\}/g, 'x')
    const response = await api.app.inject({
      method: 'POST',
      url,
      headers: api.headers,
      payload: example as object,
    })
    t.not(
      response.statusCode,
      400,
      `${path}: the example passes the schema (${response.statusCode})`,
    )
    t.not(response.statusCode, 500)
  }
})
