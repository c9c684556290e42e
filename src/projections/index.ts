import { calendarProjection } from './calendar/index.js'
import { itineraryProjection } from './itinerary/index.js'
import type { Projection } from './projection.js'
import { relationshipStatusProjection } from './relationship-status/index.js'

export { calendarProjection } from './calendar/index.js'
export type * from './calendar/types.js'
export * from './itinerary/index.js'
export type * from './projection.js'
export * from './relationship-status/index.js'
export * from './replay.js'

/** The read models of issue 4, for the runner: itinerary, relationship status, calendar. */
export const PROJECTIONS: Projection[] = [
  itineraryProjection,
  relationshipStatusProjection,
  calendarProjection,
]
