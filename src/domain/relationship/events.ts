import type { CorrectionEvent } from '../correction/events.js'
import type { Event } from '../decider.js'
import type { Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Source } from '../values/source.js'
import type { Interaction } from './interaction-coding.js'
import type { Assessment, Cooperation, Friction } from './types.js'

/** The dyad is sorted in every event. */
interface Sourced {
  dyad: Dyad
  sources: Source[]
}

export type FrictionRecorded = Event<
  'FrictionRecorded',
  Sourced & Omit<Friction, 'status' | 'resolution'> & { interactions: Interaction[] }
>
export type FrictionResolved = Event<
  'FrictionResolved',
  Sourced & { frictionId: string; resolution: string; date?: ImpreciseTime }
>
export type CooperationRecorded = Event<
  'CooperationRecorded',
  Sourced & Cooperation & { interactions: Interaction[] }
>
export type RelationshipAssessed = Event<'RelationshipAssessed', Sourced & Assessment>

export type RelationshipFact =
  | FrictionRecorded
  | FrictionResolved
  | CooperationRecorded
  | RelationshipAssessed
export type RelationshipEvent = RelationshipFact | CorrectionEvent
