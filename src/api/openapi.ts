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
      tags: [{ name: 'operations', description: 'Health and metrics' }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
