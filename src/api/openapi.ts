import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/**
 * OpenAPI 3.1 generated from the route schemas, served at `/openapi.json`, with interactive
 * docs at `/docs`. Registered before the routes so that every route is collected.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    // Shared schemas keep their $id as their name in components.schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Entente API',
        version,
        description:
          'The record of diplomatic engagements between states and their leaders: visits, ' +
          'calls, meetings and the state of each bilateral relationship, kept as an event log.',
      },
      tags: [
        { name: 'operations', description: 'Health and metrics' },
        { name: 'admin', description: 'API keys' },
        { name: 'visits', description: 'Visits and their itineraries' },
        { name: 'calls', description: 'Calls between leaders' },
        { name: 'meetings', description: 'Meetings, from announcement to outcome' },
        { name: 'statements', description: 'Readouts and releases' },
        { name: 'relationships', description: 'Bilateral relationships and their status' },
        { name: 'corrections', description: 'Corrections and retractions of our record' },
        { name: 'itineraries', description: 'People’s itineraries and the engagement calendar' },
        { name: 'events', description: 'The event log over HTTP: pages and Server-Sent Events' },
        { name: 'audit', description: 'Streams, their history, and the hash chain check' },
      ],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An Entente API key: Authorization: Bearer ent_<id>_<secret>',
          },
        },
      },
      security: [{ apiKey: [] }],
    },
  })
  // The page gets Swagger UI's own CSP instead of the API's, without upgrade-insecure-requests:
  // served over plain HTTP on a LAN address, that would send its assets to https and break it.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  })
  app.get('/openapi.json', { schema: { hide: true }, config: { scope: 'public' } }, async () =>
    app.swagger(),
  )
}
