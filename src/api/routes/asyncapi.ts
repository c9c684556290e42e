import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const AsyncApiDocument = Type.Object(
  { asyncapi: Type.Literal('3.0.0') },
  { additionalProperties: true, description: 'An AsyncAPI 3.0 document' },
)

/** Serves the AsyncAPI document of the Kafka event stream (built in src/messaging/asyncapi.ts). */
export const asyncApiRoutes: FastifyPluginAsyncTypebox<{
  document: Record<string, unknown>
}> = async (app, { document }) => {
  app.get(
    '/asyncapi.json',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['event stream'],
        summary: 'The AsyncAPI 3 document of the event stream on Kafka',
        response: { 200: AsyncApiDocument },
      },
    },
    async () => document as { asyncapi: '3.0.0' },
  )
}
