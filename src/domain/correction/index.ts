import type { Decider, Event } from '../decider.js'
import type { CorrectionCommand } from './commands.js'
import { decideCorrection } from './decide.js'
import { type CorrectionState, evolveCorrection, initialCorrectionState } from './state.js'

export type * from './commands.js'
export { CORRECTABLE, type Correctable } from './correctable.js'
export * from './events.js'
export * from './history.js'
export * from './state.js'

/**
 * Corrections and retractions. The id is the target event's stream id: fold that whole stream
 * with this decider's `evolve` (it reads only corrections), decide, and append the result there.
 */
export const correctionDecider: Decider<CorrectionCommand, Event, CorrectionState> = {
  decide: decideCorrection,
  evolve: evolveCorrection,
  initialState: initialCorrectionState,
  streamId: (targetStreamId) => targetStreamId,
}
