import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { NotFoundError } from '../../domain/errors.js'
import type { JsonObject } from '../../domain/json.js'
import {
  itineraryProjection,
  itineraryToICalendar,
  personItinerary,
  type VisitView,
} from '../../projections/index.js'
import { travellersOf } from '../../projections/itinerary/person-itinerary.js'
import { queryRows } from '../../projections/queries.js'
import type { ApiDeps } from '../deps.js'
import { documentsAsOf } from '../reads.js'
import { AsOf, CountryCode, Instant, Limit, PersonId, problems } from '../schemas/common.js'
import { CalendarPage, Itinerary } from '../schemas/read-models.js'

const Cursor = Type.String({ maxLength: 500, description: 'The `next` cursor of the last page' })

/**
 * Every visit document of a person's itinerary, page after page (for the calendar file), or
 * as the record stood at recorded time `asOf`.
 */
async function allVisitsOf(deps: ApiDeps, person: string, asOf?: Date): Promise<JsonObject[]> {
  if (asOf) {
    const docs = await documentsAsOf(deps.log.db, itineraryProjection, asOf)
    return docs.filter((d) => travellersOf(d as unknown as VisitView).some((p) => p.id === person))
  }
  const docs: JsonObject[] = []
  let after: string | undefined
  do {
    const page = await queryRows(deps.log.db, {
      projection: itineraryProjection.name,
      kind: 'visit',
      person,
      after,
      limit: 200,
    })
    docs.push(...page.items)
    after = page.next
  } while (after)
  return docs
}

const wantsCalendar = (accept: string | undefined) =>
  accept !== undefined && /\btext\/calendar\b/.test(accept) && !/application\/json/.test(accept)

/** People's itineraries (JSON or iCalendar) and the engagement calendar. */
export const itineraryRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    '/v1/itineraries/:personId',
    {
      schema: {
        tags: ['itineraries'],
        operationId: 'getItinerary',
        summary: 'A person’s visits in time order, each with its engagements',
        description:
          'JSON by default, a page of visits at a time. With `Accept: text/calendar`, the ' +
          'whole itinerary as an iCalendar file (RFC 5545) to subscribe to.',
        params: Type.Object({ personId: PersonId }),
        querystring: Type.Object({
          after: Type.Optional(Cursor),
          limit: Limit,
          asOf: Type.Optional({
            ...AsOf,
            description: 'The itinerary as recorded at this time (all visits in one page)',
          }),
        }),
        response: {
          200: {
            description: 'The itinerary',
            content: {
              'application/json': { schema: Itinerary },
              'text/calendar': { schema: Type.String({ description: 'iCalendar (RFC 5545)' }) },
            },
          },
          ...problems({ 400: 'A bad parameter or cursor', 404: 'No visit of this person' }),
        },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const { personId } = request.params
      const asOf = request.query.asOf ? new Date(request.query.asOf) : undefined
      if (wantsCalendar(request.headers.accept)) {
        const docs = await allVisitsOf(deps, personId, asOf)
        const person = docs
          .flatMap((d) => travellersOf(d as unknown as VisitView))
          .find((p) => p.id === personId)
        if (!person) throw new NotFoundError('itinerary of', personId)
        return reply
          .type('text/calendar; charset=utf-8')
          .send(itineraryToICalendar(docs, { personId, personName: person.name }))
      }
      const { asOf: _asOf, ...paging } = request.query
      const page = asOf
        ? { items: await allVisitsOf(deps, personId, asOf), next: undefined }
        : await queryRows(deps.log.db, {
            projection: itineraryProjection.name,
            kind: 'visit',
            person: personId,
            ...paging,
          })
      if (page.items.length === 0 && !request.query.after)
        throw new NotFoundError('itinerary of', personId)
      const { visits } = personItinerary(page.items as unknown as VisitView[], personId)
      return reply
        .type('application/json; charset=utf-8')
        .send({ personId, visits: visits as never[], ...(page.next ? { next: page.next } : {}) })
    },
  )

  app.get(
    '/v1/engagements',
    {
      schema: {
        tags: ['itineraries'],
        operationId: 'listEngagements',
        summary: 'The engagement calendar: visit engagements, calls and meetings',
        description:
          'By earliest bound; filter by country, person and a date range (entries whose time ' +
          'may overlap it). Each entry says how precisely its time is known.',
        querystring: Type.Object({
          country: Type.Optional(CountryCode),
          person: Type.Optional(PersonId),
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          entry: Type.Optional(
            Type.Array(Type.Enum(['engagement', 'call', 'meeting']), {
              description: 'Only these kinds of entry (repeat for several)',
            }),
          ),
          after: Type.Optional(Cursor),
          limit: Limit,
        }),
        response: { 200: CalendarPage, ...problems({ 400: 'A bad parameter or cursor' }) },
      },
      config: { scope: 'read' },
    },
    async (request) => {
      const { entry, ...filters } = request.query
      return queryRows(deps.log.db, {
        projection: 'calendar',
        kind: entry && entry.length > 0 ? entry : ['engagement', 'call', 'meeting'],
        ...filters,
      })
    },
  )
}
