import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { type FieldViolation, ValidationError } from '../../domain/errors.js'
import { commandOf, runCommand } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import * as body from '../schemas/commands.js'
import { CommandHeaders } from '../schemas/common.js'
import { commandResponses } from '../schemas/results.js'

const tags = ['corrections']
const EventParams = Type.Object({ eventId: Type.String({ format: 'uuid' }) })

/** Fields of an imprecise time that the server computes from its EDTF text. */
const COMPUTED = ['earliest', 'latest', 'precision']

/**
 * A merge patch may not set the computed bounds of a date, anywhere in it: they would be
 * taken as given (the command handler parses only dates that have none).
 */
function refuseComputedBounds(changes: unknown, at = '/changes'): FieldViolation[] {
  if (Array.isArray(changes))
    return changes.flatMap((v, i) => refuseComputedBounds(v, `${at}/${i}`))
  if (typeof changes !== 'object' || changes === null) return []
  return Object.entries(changes).flatMap(([key, value]) =>
    COMPUTED.includes(key)
      ? [
          {
            field: `${at}/${key}`,
            rule: 'computed-by-server',
            message: 'send the date as EDTF text ({ "edtf": … }); its bounds are computed',
          },
        ]
      : refuseComputedBounds(value, `${at}/${key}`),
  )
}

/**
 * Corrections of our record: a merge patch of an event's data, or its retraction. Both are
 * appended to the stream of the event they correct; nothing is ever edited.
 */
export const correctionRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/v1/events/:eventId/corrections',
    {
      schema: {
        tags,
        operationId: 'correctFact',
        summary: 'Correct what an event recorded',
        params: EventParams,
        headers: CommandHeaders,
        body: body.CorrectFact,
        response: commandResponses(false),
      },
      config: { scope: 'commands:write' },
    },
    (request, reply) => {
      const refused = refuseComputedBounds(request.body.changes)
      if (refused.length > 0) throw new ValidationError('dates are sent as EDTF text only', refused)
      return runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'CorrectFact',
          {
            target: { eventId: request.params.eventId },
            changes: request.body.changes,
            reason: request.body.reason,
          },
          metadata,
        ),
        id: request.params.eventId,
      }))
    },
  )

  app.post(
    '/v1/events/:eventId/retractions',
    {
      schema: {
        tags,
        operationId: 'retractFact',
        summary: 'Retract an event that should never have been recorded',
        params: EventParams,
        headers: CommandHeaders,
        body: body.RetractFact,
        response: commandResponses(false),
      },
      config: { scope: 'commands:write' },
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'RetractFact',
          { target: { eventId: request.params.eventId }, reason: request.body.reason },
          metadata,
        ),
        id: request.params.eventId,
      })),
  )
}
