import type { WithFacts } from '../correction/history.js'
import type { CountryCode, Dyad } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'

/** Severity picks the friction's coding (see interaction-coding.ts). */
export const FRICTION_SEVERITIES = ['minor', 'serious', 'severe'] as const
export type FrictionSeverity = (typeof FRICTION_SEVERITIES)[number]

export const COOPERATION_AREAS = ['diplomatic', 'economic', 'security', 'agreement'] as const
export type CooperationArea = (typeof COOPERATION_AREAS)[number]

/** An analyst's label; the relationship projection computes its own beside it. */
export const RELATIONSHIP_LABELS = ['strained', 'recovering', 'normal', 'close'] as const
export type RelationshipLabel = (typeof RELATIONSHIP_LABELS)[number]

export interface Friction {
  frictionId: string
  title: string
  description: string
  severity: FrictionSeverity
  /** When it began, as far as known. */
  since?: ImpreciseTime
  /** Other countries involved, e.g. AU and GB in AUKUS. */
  thirdParties: CountryCode[]
  topics: string[]
  status: 'open' | 'resolved'
  resolution?: string
}

export interface Cooperation {
  area: CooperationArea
  topic: string
  description?: string
  date?: ImpreciseTime
}

export interface Assessment {
  label: RelationshipLabel
  rationale: string
  asOf?: ImpreciseTime
}

/** A bilateral relationship is `tracked` from the first fact recorded about it. */
export type RelationshipLifecycle =
  | { status: 'none' }
  | {
      status: 'tracked'
      dyad: Dyad
      frictions: Friction[]
      cooperation: Cooperation[]
      assessment?: Assessment
    }

/** The relationship, and the facts it was folded from: a correction folds them again. */
export type RelationshipState = WithFacts<RelationshipLifecycle>

export function initialRelationshipState(): RelationshipState {
  return { status: 'none', facts: [] }
}
