import type { Command } from '../decider.js'
import type { CountryCode } from '../values/country.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { CooperationArea, FrictionSeverity, RelationshipLabel } from './types.js'

/** The two countries, in either order. */
interface About {
  dyad: [CountryCode, CountryCode]
}

export type RecordFriction = Command<
  'RecordFriction',
  About & {
    frictionId: string
    title: string
    description: string
    severity: FrictionSeverity
    since?: ImpreciseTime
    thirdParties?: CountryCode[]
    topics?: string[]
  }
>
/** Not in issue 3's list, but open frictions need a way to close. */
export type ResolveFriction = Command<
  'ResolveFriction',
  About & { frictionId: string; resolution: string; date?: ImpreciseTime }
>
export type RecordCooperation = Command<
  'RecordCooperation',
  About & { area: CooperationArea; topic: string; description?: string; date?: ImpreciseTime }
>
export type AssessRelationship = Command<
  'AssessRelationship',
  About & { label: RelationshipLabel; rationale: string; asOf?: ImpreciseTime }
>

export type RelationshipCommand =
  | RecordFriction
  | ResolveFriction
  | RecordCooperation
  | AssessRelationship
