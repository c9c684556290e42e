import type { Decider } from '../decider.js'
import { dyadOf } from '../values/country.js'
import type { RelationshipCommand } from './commands.js'
import { decideRelationship } from './decide.js'
import type { RelationshipEvent } from './events.js'
import { evolveRelationship } from './evolve.js'
import { initialRelationshipState, type RelationshipState } from './types.js'

export type * from './commands.js'
export type * from './events.js'
export * from './interaction-coding.js'
export * from './types.js'

/** The id of a country pair: its ISO codes sorted, joined by a dash (`FR-US`). */
export function relationshipId(a: string, b: string): string {
  return dyadOf(a, b).join('-')
}

/** The stream of a pair, given `A-B` in either order: `relationship-FR-US`. */
export function relationshipStreamId(id: string): string {
  const [a = '', b = ''] = id.split('-')
  return `relationship-${relationshipId(a, b)}`
}

/** Bilateral relationships: frictions, cooperation, analysts' assessments. */
export const relationshipDecider: Decider<
  RelationshipCommand,
  RelationshipEvent,
  RelationshipState
> = {
  decide: decideRelationship,
  evolve: evolveRelationship,
  initialState: initialRelationshipState,
  streamId: relationshipStreamId,
}
