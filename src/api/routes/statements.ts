import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { commandOf, dataOf, runCommand } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import * as body from '../schemas/commands.js'
import { CommandHeaders } from '../schemas/common.js'
import { commandResponses } from '../schemas/results.js'

/** Readouts and releases as their issuers published them. */
export const statementRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/v1/statements',
    {
      schema: {
        tags: ['statements'],
        operationId: 'publishStatement',
        summary: 'Record a readout or release',
        headers: CommandHeaders,
        body: body.PublishStatement,
        response: commandResponses(true),
      },
      config: { scope: 'commands:write' },
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const { statementId = newId('statement'), ...data } = dataOf(request.body)
        return {
          command: commandOf('PublishStatement', { statementId, ...data }, metadata),
          id: statementId,
          // No read model serves statements yet: their record is the stream.
          location: `/v1/streams/statement-${statementId}/events`,
        }
      }),
  )
}
