import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { visitStreamId } from '../../domain/visit/index.js'
import { itineraryProjection } from '../../projections/index.js'
import { queryRows } from '../../projections/queries.js'
import { commandOf, dataOf, runCommand } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import { readResource, resourceSender, viewOf } from '../reads.js'
import * as body from '../schemas/commands.js'
import {
  AsOf,
  CommandHeaders,
  CountryCode,
  Id,
  Instant,
  Limit,
  PersonId,
  problems,
} from '../schemas/common.js'
import { VisitPage } from '../schemas/read-models.js'

import { commandResponses, withETag } from '../schemas/results.js'

const tags = ['visits']
const VisitParams = Type.Object({ id: Id })
const EngagementParams = Type.Object({ id: Id, engagementId: Id })
const write = { scope: 'commands:write' } as const

/** A visit's commands (schedule, itinerary, delegation, cancel, complete) and its reads. */
export const visitRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/v1/visits',
    {
      schema: {
        tags,
        operationId: 'scheduleVisit',
        summary: 'Schedule a visit',
        headers: CommandHeaders,
        body: body.ScheduleVisit,
        response: commandResponses(true),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const { visitId = newId('visit'), ...data } = dataOf(request.body)
        return {
          command: commandOf('ScheduleVisit', { visitId, ...data }, metadata),
          id: visitId,
          location: `/v1/visits/${visitId}`,
        }
      }),
  )

  app.post(
    '/v1/visits/:id/reschedule',
    {
      schema: {
        tags,
        operationId: 'rescheduleVisit',
        summary: 'Move or refine a visit’s period',
        params: VisitParams,
        headers: CommandHeaders,
        body: body.RescheduleVisit,
        response: commandResponses(false),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'RescheduleVisit',
          { visitId: request.params.id, ...dataOf(request.body) },
          metadata,
        ),
        id: request.params.id,
      })),
  )

  app.post(
    '/v1/visits/:id/engagements',
    {
      schema: {
        tags,
        operationId: 'addEngagement',
        summary: 'Add an engagement to a visit’s itinerary',
        params: VisitParams,
        headers: CommandHeaders,
        body: body.AddEngagement,
        response: commandResponses(true),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const visitId = request.params.id
        const {
          engagementId = newId('engagement'),
          counterparts = [],
          ...rest
        } = request.body.engagement
        return {
          command: commandOf(
            'AddEngagement',
            { visitId, engagement: { engagementId, counterparts, ...rest } },
            metadata,
          ),
          id: engagementId,
          location: `/v1/visits/${visitId}`,
        }
      }),
  )

  app.post(
    '/v1/visits/:id/engagements/:engagementId/change',
    {
      schema: {
        tags,
        operationId: 'changeEngagement',
        summary: 'Change fields of an engagement',
        params: EngagementParams,
        headers: CommandHeaders,
        body: body.ChangeEngagement,
        response: commandResponses(false),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'ChangeEngagement',
          {
            visitId: request.params.id,
            engagementId: request.params.engagementId,
            ...dataOf(request.body),
          },
          metadata,
        ),
        id: request.params.engagementId,
      })),
  )

  app.post(
    '/v1/visits/:id/engagements/:engagementId/remove',
    {
      schema: {
        tags,
        operationId: 'removeEngagement',
        summary: 'Drop an engagement from the itinerary',
        params: EngagementParams,
        headers: CommandHeaders,
        body: body.RemoveEngagement,
        response: commandResponses(false),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'RemoveEngagement',
          {
            visitId: request.params.id,
            engagementId: request.params.engagementId,
            ...dataOf(request.body),
          },
          metadata,
        ),
        id: request.params.engagementId,
      })),
  )

  app.post(
    '/v1/visits/:id/delegation',
    {
      schema: {
        tags,
        operationId: 'addDelegationMember',
        summary: 'Add someone to the visitor’s delegation',
        params: VisitParams,
        headers: CommandHeaders,
        body: body.AddDelegationMember,
        response: commandResponses(false),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'AddDelegationMember',
          { visitId: request.params.id, ...dataOf(request.body) },
          metadata,
        ),
        id: request.body.member.person.id,
      })),
  )

  app.post(
    '/v1/visits/:id/delegation/:personId/remove',
    {
      schema: {
        tags,
        operationId: 'removeDelegationMember',
        summary: 'Remove someone from the delegation',
        params: Type.Object({ id: Id, personId: PersonId }),
        headers: CommandHeaders,
        body: body.RemoveDelegationMember,
        response: commandResponses(false),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => ({
        command: commandOf(
          'RemoveDelegationMember',
          {
            visitId: request.params.id,
            personId: request.params.personId,
            ...dataOf(request.body),
          },
          metadata,
        ),
        id: request.params.personId,
      })),
  )

  for (const [path, type, operationId, summary, schema] of [
    ['cancel', 'CancelVisit', 'cancelVisit', 'The visit will not take place', body.CancelVisit],
    [
      'complete',
      'CompleteVisit',
      'completeVisit',
      'The visit took place as recorded',
      body.CompleteVisit,
    ],
  ] as const)
    app.post(
      `/v1/visits/:id/${path}`,
      {
        schema: {
          tags,
          operationId,
          summary,
          params: VisitParams,
          headers: CommandHeaders,
          body: schema,
          response: commandResponses(false),
        },
        config: write,
      },
      (request, reply) =>
        runCommand(deps, request, reply, (_newId, metadata) => ({
          command: commandOf(
            type,
            { visitId: request.params.id, ...dataOf(request.body) },
            metadata,
          ),
          id: request.params.id,
        })),
    )

  const sendVisit = resourceSender()
  app.get(
    '/v1/visits/:id',
    {
      schema: {
        tags,
        operationId: 'getVisit',
        summary: 'A visit in detail: itinerary, delegation, sources',
        params: VisitParams,
        querystring: Type.Object({
          asOf: Type.Optional(AsOf),
        }),
        response: {
          200: withETag('Visit#', 'The visit as the read model shows it'),
          ...problems({ 400: 'A bad parameter', 404: 'No such visit (or not yet at asOf)' }),
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
          projection: itineraryProjection,
          kind: 'visit',
          id,
          streamId: visitStreamId(id),
          asOf: asOf ? new Date(asOf) : undefined,
          what: 'visit',
        },
        deps.documents,
      )
      return sendVisit(reply, doc, version)
    },
  )

  app.get(
    '/v1/visits',
    {
      schema: {
        tags,
        operationId: 'listVisits',
        summary: 'Visits by earliest bound, filtered by person, country and date range',
        querystring: Type.Object({
          person: Type.Optional(PersonId),
          country: Type.Optional(CountryCode),
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          after: Type.Optional(Type.String({ maxLength: 500, description: 'The `next` cursor' })),
          limit: Limit,
        }),
        response: { 200: VisitPage, ...problems({ 400: 'A bad parameter or cursor' }) },
      },
      config: { scope: 'read' },
    },
    async (request) => {
      const page = await queryRows(deps.log.db, {
        projection: itineraryProjection.name,
        kind: 'visit',
        ...request.query,
      })
      return { ...page, items: page.items.map(viewOf) }
    },
  )
}
