import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { meetingStreamId } from '../../domain/meeting/index.js'
import { calendarProjection } from '../../projections/index.js'
import { commandOf, dataOf, runCommand } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import { readResource, resourceSender } from '../reads.js'
import * as body from '../schemas/commands.js'
import { AsOf, CommandHeaders, Id, problems } from '../schemas/common.js'
import { commandResponses, withETag } from '../schemas/results.js'

const tags = ['meetings']
const MeetingParams = Type.Object({ id: Id })

/** Meetings: announced, confirmed, rescheduled, held or cancelled, with their outcomes. */
export const meetingRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    '/v1/meetings',
    {
      schema: {
        tags,
        operationId: 'announceMeeting',
        summary: 'A meeting was announced',
        headers: CommandHeaders,
        body: body.AnnounceMeeting,
        response: commandResponses(true),
      },
      config: { scope: 'commands:write' },
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const { meetingId = newId('meeting'), ...data } = dataOf(request.body)
        return {
          command: commandOf('AnnounceMeeting', { meetingId, ...data }, metadata),
          id: meetingId,
          location: `/v1/meetings/${meetingId}`,
        }
      }),
  )

  for (const [path, type, operationId, summary, schema] of [
    [
      'confirm',
      'ConfirmMeeting',
      'confirmMeeting',
      'Confirm the meeting’s date',
      body.ConfirmMeeting,
    ],
    [
      'reschedule',
      'RescheduleMeeting',
      'rescheduleMeeting',
      'Move the meeting’s window',
      body.RescheduleMeeting,
    ],
    [
      'held',
      'RecordMeetingHeld',
      'recordMeetingHeld',
      'The meeting took place',
      body.RecordMeetingHeld,
    ],
    [
      'cancel',
      'CancelMeeting',
      'cancelMeeting',
      'The meeting will not take place',
      body.CancelMeeting,
    ],
  ] as const)
    app.post(
      `/v1/meetings/:id/${path}`,
      {
        schema: {
          tags,
          operationId,
          summary,
          params: MeetingParams,
          headers: CommandHeaders,
          body: schema,
          response: commandResponses(false),
        },
        config: { scope: 'commands:write' },
      },
      (request, reply) =>
        runCommand(deps, request, reply, (_newId, metadata) => ({
          command: commandOf(
            type,
            { meetingId: request.params.id, ...dataOf(request.body) },
            metadata,
          ),
          id: request.params.id,
        })),
    )

  app.post(
    '/v1/meetings/:id/outcomes',
    {
      schema: {
        tags,
        operationId: 'recordMeetingOutcome',
        summary: 'Record what a held meeting produced',
        params: MeetingParams,
        headers: CommandHeaders,
        body: body.RecordMeetingOutcome,
        response: commandResponses(true),
      },
      config: { scope: 'commands:write' },
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const meetingId = request.params.id
        const { outcomeId = newId('outcome'), ...data } = dataOf(request.body)
        return {
          command: commandOf('RecordMeetingOutcome', { meetingId, outcomeId, ...data }, metadata),
          id: outcomeId,
          location: `/v1/meetings/${meetingId}`,
        }
      }),
  )

  const sendMeeting = resourceSender()
  app.get(
    '/v1/meetings/:id',
    {
      schema: {
        tags,
        operationId: 'getMeeting',
        summary: 'A meeting: participants, place, window or date, status, outcomes',
        params: MeetingParams,
        querystring: Type.Object({ asOf: Type.Optional(AsOf) }),
        response: {
          200: withETag('Meeting#', 'The meeting as the read model shows it'),
          ...problems({ 400: 'A bad parameter', 404: 'No such meeting (or not yet at asOf)' }),
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
          kind: 'meeting',
          id,
          streamId: meetingStreamId(id),
          asOf: asOf ? new Date(asOf) : undefined,
          what: 'meeting',
        },
        deps.documents,
      )
      return sendMeeting(reply, doc, version)
    },
  )
}
