import type { InteractionKind } from '../../domain/relationship/interaction-coding.js'
import type {
  CooperationArea,
  FrictionSeverity,
  RelationshipLabel,
} from '../../domain/relationship/types.js'
import type { ImpreciseTime } from '../../domain/values/imprecise-time.js'
import type { Place } from '../../domain/values/place.js'

/** Which event an item came from: items are replaced or dropped with their event. */
export interface ItemOrigin {
  eventId: string
  position: number
  recordedAt: string
}

export type SubjectType = 'visit' | 'call' | 'meeting'

/** One coded interaction of the pair, as the score reads it. */
export interface InteractionItem extends ItemOrigin {
  item: 'interaction'
  kind: InteractionKind
  cameo: string
  plover: string
  mode: string | null
  weight: number
  codingVersion: string
  /** tᵢ: the fact's own time (earliest bound), else its first publication, else recorded. */
  at: string
  firstHand: boolean
}

export type EngagementState =
  | 'scheduled'
  | 'announced'
  | 'confirmed'
  | 'held'
  | 'completed'
  | 'cancelled'

/** What one event says of a visit, call or meeting between the pair. */
export interface EngagementItem extends ItemOrigin {
  item: 'engagement'
  subject: { type: SubjectType; id: string }
  status: EngagementState
  title?: string
  time?: ImpreciseTime
  place?: Place
}

export interface FrictionItem extends ItemOrigin {
  item: 'friction'
  frictionId: string
  title: string
  severity: FrictionSeverity
  since?: ImpreciseTime
  topics: string[]
  thirdParties: string[]
  /** When it began, as best known. */
  at: string
}

export interface ResolutionItem extends ItemOrigin {
  item: 'resolution'
  frictionId: string
  resolution: string
  at: string
}

export interface CooperationItem extends ItemOrigin {
  item: 'cooperation'
  area: CooperationArea
  topic: string
  at: string
}

export interface AssessmentItem extends ItemOrigin {
  item: 'assessment'
  label: RelationshipLabel
  rationale: string
  asOf?: ImpreciseTime
}

export type Item =
  | InteractionItem
  | EngagementItem
  | FrictionItem
  | ResolutionItem
  | CooperationItem
  | AssessmentItem
