import type { Decider } from '../decider.js'
import type { VisitCommand } from './commands.js'
import { decideVisit } from './decide.js'
import type { VisitEvent } from './events.js'
import { evolveVisit } from './evolve.js'
import { initialVisitState, type VisitState } from './types.js'

export type * from './commands.js'
export type * from './events.js'
export * from './types.js'

/** The visit stream of `visitId`. */
export const visitStreamId = (visitId: string): string => `visit-${visitId}`

/** Visits: scheduling, itinerary, delegation, cancellation, completion. */
export const visitDecider: Decider<VisitCommand, VisitEvent, VisitState> = {
  decide: decideVisit,
  evolve: evolveVisit,
  initialState: initialVisitState,
  streamId: visitStreamId,
}
