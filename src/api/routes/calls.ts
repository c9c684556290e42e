import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callStreamId } from '../../domain/call/index.js'
import { calendarProjection } from '../../projections/index.js'
import { commandOf, dataOf, runCommand } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import { readResource, resourceSender } from '../reads.js'
import * as body from '../schemas/commands.js'
import { AsOf, CommandHeaders, Id, problems } from '../schemas/common.js'
import { commandResponses, withETag } from '../schemas/results.js'

const tags = ['calls']

/** Calls between leaders: recorded once, read from the engagement calendar's documents. */
export const callRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/v1/calls',
    {
      schema: {
        tags,
        operationId: 'recordCall',
        summary: 'Record a call that took place',
        headers: CommandHeaders,
        body: body.RecordCall,
        response: commandResponses(true),
      },
      config: { scope: 'commands:write' },
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const { callId = newId('call'), ...data } = dataOf(request.body)
        return {
          command: commandOf('RecordCall', { callId, ...data }, metadata),
          id: callId,
          location: `/v1/calls/${callId}`,
        }
      }),
  )

  const sendCall = resourceSender()
  app.get(
    '/v1/calls/:id',
    {
      schema: {
        tags,
        operationId: 'getCall',
        summary: 'A call: participants, date, topics, readout, sources',
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ asOf: Type.Optional(AsOf) }),
        response: {
          200: withETag('Call#', 'The call as the read model shows it'),
          ...problems({ 400: 'A bad parameter', 404: 'No such call (or not yet at asOf)' }),
        },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const { id } = request.params
      const { asOf } = request.query
      const { doc, version } = await readResource(
        deps.log.db,
        {
          projection: calendarProjection,
          kind: 'call',
          id,
          streamId: callStreamId(id),
          asOf: asOf ? new Date(asOf) : undefined,
          what: 'call',
        },
        deps.documents,
      )
      return sendCall(reply, doc, version)
    },
  )
}
