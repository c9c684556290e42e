import { asRevision } from '../correction/events.js'
import { sameJson } from '../json.js'
import type { Dyad } from '../values/country.js'
import type { RelationshipEvent, RelationshipFact } from './events.js'
import type { Cooperation, Friction, RelationshipState } from './types.js'

type Data<T extends RelationshipFact['type']> = Extract<RelationshipFact, { type: T }>['data']
type Tracked = Extract<RelationshipState, { status: 'tracked' }>

function tracked(state: RelationshipState, dyad: Dyad): Tracked {
  return state.status === 'tracked'
    ? state
    : { status: 'tracked', dyad, frictions: [], cooperation: [] }
}

function frictionOf(data: Data<'FrictionRecorded'>): Friction {
  const { dyad: _d, sources: _s, interactions: _i, ...friction } = data
  return { ...friction, status: 'open' }
}

function cooperationOf(data: Data<'CooperationRecorded'>): Cooperation {
  const { dyad: _d, sources: _s, interactions: _i, ...cooperation } = data
  return cooperation
}

const mapFriction = (s: Tracked, id: string, f: (x: Friction) => Friction): Tracked => ({
  ...s,
  frictions: s.frictions.map((x) => (x.frictionId === id ? f(x) : x)),
})

const reopen = ({ resolution: _, ...f }: Friction): Friction => ({ ...f, status: 'open' })

/** Folds one event into the relationship's state. */
export function evolveRelationship(
  state: RelationshipState,
  event: RelationshipEvent,
): RelationshipState {
  switch (event.type) {
    case 'FrictionRecorded': {
      const s = tracked(state, event.data.dyad)
      return { ...s, frictions: [...s.frictions, frictionOf(event.data)] }
    }
    case 'FrictionResolved': {
      const { frictionId, resolution } = event.data
      return mapFriction(tracked(state, event.data.dyad), frictionId, (f) => ({
        ...f,
        status: 'resolved',
        resolution,
      }))
    }
    case 'CooperationRecorded': {
      const s = tracked(state, event.data.dyad)
      return { ...s, cooperation: [...s.cooperation, cooperationOf(event.data)] }
    }
    case 'RelationshipAssessed': {
      const { dyad, sources: _, ...assessment } = event.data
      return { ...tracked(state, dyad), assessment }
    }
    case 'FactCorrected':
    case 'FactRetracted': {
      if (state.status !== 'tracked') return state
      const { eventType, before, after } = asRevision(event)
      return reviseRelationship(state, eventType, before, after)
    }
    default:
      return state
  }
}

/** Applies a correction (`after`) or retraction (`after` null) of an earlier relationship event. */
function reviseRelationship(
  state: Tracked,
  eventType: string,
  before: object,
  after: object | null,
): Tracked {
  switch (eventType) {
    case 'FrictionRecorded': {
      const { frictionId } = before as Data<'FrictionRecorded'>
      if (after === null)
        return { ...state, frictions: state.frictions.filter((f) => f.frictionId !== frictionId) }
      const now = frictionOf(after as Data<'FrictionRecorded'>)
      return mapFriction(state, frictionId, (f) => ({
        ...now,
        status: f.status,
        ...(f.resolution ? { resolution: f.resolution } : {}),
      }))
    }
    case 'FrictionResolved': {
      const { frictionId } = before as Data<'FrictionResolved'>
      const resolution = after === null ? undefined : (after as Data<'FrictionResolved'>).resolution
      return mapFriction(state, frictionId, (f) =>
        resolution === undefined ? reopen(f) : { ...f, resolution },
      )
    }
    case 'CooperationRecorded': {
      const was = cooperationOf(before as Data<'CooperationRecorded'>)
      const i = state.cooperation.findIndex((c) => sameJson(c, was))
      if (i < 0) return state
      const now = after === null ? [] : [cooperationOf(after as Data<'CooperationRecorded'>)]
      return { ...state, cooperation: state.cooperation.toSpliced(i, 1, ...now) }
    }
    case 'RelationshipAssessed': {
      const { dyad: _d, sources: _s, ...was } = before as Data<'RelationshipAssessed'>
      if (!sameJson(state.assessment, was)) return state
      if (after !== null) {
        const { dyad: _ad, sources: _as, ...assessment } = after as Data<'RelationshipAssessed'>
        return { ...state, assessment }
      }
      const { assessment: _, ...rest } = state
      return rest
    }
    default:
      return state
  }
}
