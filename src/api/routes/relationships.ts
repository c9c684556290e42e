import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { relationshipId, relationshipStreamId } from '../../domain/relationship/index.js'
import {
  type RelationshipDoc,
  relationshipStatus,
  relationshipStatusProjection,
} from '../../projections/index.js'
import { queryRows } from '../../projections/queries.js'
import { commandOf, dataOf, etagOf, runCommand } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import { readResource } from '../reads.js'
import * as body from '../schemas/commands.js'
import { AsOf, CommandHeaders, CountryCode, Id, Limit, problems } from '../schemas/common.js'
import { RelationshipPage } from '../schemas/read-models.js'
import { commandResponses, withETag } from '../schemas/results.js'

const tags = ['relationships']
const Pair = Type.Object({ a: CountryCode, b: CountryCode })
const write = { scope: 'commands:write' } as const

/** Bilateral relationships: frictions, cooperation, assessments, and the computed status. */
export const relationshipRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (
  app,
  { deps },
) => {
  const location = (a: string, b: string) =>
    `/v1/relationships/${relationshipId(a, b).replace('-', '/')}`

  app.post(
    '/v1/relationships/:a/:b/frictions',
    {
      schema: {
        tags,
        operationId: 'recordFriction',
        summary: 'Record a point of friction between two countries',
        params: Pair,
        headers: CommandHeaders,
        body: body.RecordFriction,
        response: commandResponses(true),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (newId, metadata) => {
        const { a, b } = request.params
        const { frictionId = newId('friction'), ...data } = dataOf(request.body)
        return {
          command: commandOf('RecordFriction', { dyad: [a, b], frictionId, ...data }, metadata),
          id: frictionId,
          location: location(a, b),
        }
      }),
  )

  app.post(
    '/v1/relationships/:a/:b/frictions/:frictionId/resolve',
    {
      schema: {
        tags,
        operationId: 'resolveFriction',
        summary: 'An open friction was resolved',
        params: Type.Object({ a: CountryCode, b: CountryCode, frictionId: Id }),
        headers: CommandHeaders,
        body: body.ResolveFriction,
        response: commandResponses(false),
      },
      config: write,
    },
    (request, reply) =>
      runCommand(deps, request, reply, (_newId, metadata) => {
        const { a, b, frictionId } = request.params
        return {
          command: commandOf(
            'ResolveFriction',
            { dyad: [a, b], frictionId, ...dataOf(request.body) },
            metadata,
          ),
          id: frictionId,
        }
      }),
  )

  for (const [path, type, operationId, summary, schema] of [
    [
      'cooperation',
      'RecordCooperation',
      'recordCooperation',
      'Record cooperation on a topic',
      body.RecordCooperation,
    ],
    [
      'assessments',
      'AssessRelationship',
      'assessRelationship',
      'Record an analyst’s assessment',
      body.AssessRelationship,
    ],
  ] as const)
    app.post(
      `/v1/relationships/:a/:b/${path}`,
      {
        schema: {
          tags,
          operationId,
          summary,
          params: Pair,
          headers: CommandHeaders,
          body: schema,
          response: commandResponses(true),
        },
        config: write,
      },
      (request, reply) =>
        runCommand(deps, request, reply, (_newId, metadata) => {
          const { a, b } = request.params
          return {
            command: commandOf(type, { dyad: [a, b], ...dataOf(request.body) }, metadata),
            location: location(a, b),
          }
        }),
    )

  app.get(
    '/v1/relationships/:a/:b',
    {
      schema: {
        tags,
        operationId: 'getRelationship',
        summary: 'The status of a pair of countries: score, label, trend, frictions, assessment',
        params: Pair,
        querystring: Type.Object({
          at: Type.Optional(
            Type.String({
              format: 'date-time',
              description: 'The instant the status is computed for (default: now, or asOf)',
            }),
          ),
          asOf: Type.Optional(AsOf),
        }),
        response: {
          200: withETag(
            'RelationshipStatus#',
            'The pair’s status (ETag: its relationship stream’s version)',
          ),
          ...problems({ 400: 'A bad parameter', 404: 'Nothing recorded about the pair' }),
        },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const { a, b } = request.params
      const { at, asOf } = request.query
      const id = relationshipId(a, b)
      const { doc, version } = await readResource(
        deps.log.db,
        {
          projection: relationshipStatusProjection,
          kind: 'relationship',
          id,
          streamId: relationshipStreamId(id),
          asOf: asOf ? new Date(asOf) : undefined,
          what: 'relationship',
        },
        deps.documents,
      )
      const now = at ?? asOf ?? deps.clock().toISOString()
      return reply
        .header('etag', etagOf(version))
        .send(relationshipStatus(doc as unknown as RelationshipDoc, now))
    },
  )

  app.get(
    '/v1/relationships',
    {
      schema: {
        tags,
        operationId: 'listRelationships',
        summary: 'The relationships of a country (or all), each with its status now',
        querystring: Type.Object({
          country: Type.Optional(CountryCode),
          after: Type.Optional(Type.String({ maxLength: 500, description: 'The `next` cursor' })),
          limit: Limit,
        }),
        response: { 200: RelationshipPage, ...problems({ 400: 'A bad parameter or cursor' }) },
      },
      config: { scope: 'read' },
    },
    async (request) => {
      const page = await queryRows(deps.log.db, {
        projection: relationshipStatusProjection.name,
        kind: 'relationship',
        documents: true,
        ...request.query,
      })
      const now = deps.clock().toISOString()
      return {
        ...page,
        items: page.items.map((doc) => relationshipStatus(doc as unknown as RelationshipDoc, now)),
      }
    },
  )
}
