import { evolveCorrected } from '../correction/history.js'
import type { Dyad } from '../values/country.js'
import type { RelationshipEvent, RelationshipFact } from './events.js'
import type { Cooperation, Friction, RelationshipLifecycle, RelationshipState } from './types.js'

type Data<T extends RelationshipFact['type']> = Extract<RelationshipFact, { type: T }>['data']
type Tracked = Extract<RelationshipLifecycle, { status: 'tracked' }>

function tracked(state: RelationshipLifecycle, dyad: Dyad): Tracked {
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

/** Folds one fact, as it reads now, into the relationship. */
function applyRelationshipFact(
  state: RelationshipLifecycle,
  fact: RelationshipFact,
): RelationshipLifecycle {
  switch (fact.type) {
    case 'FrictionRecorded': {
      const s = tracked(state, fact.data.dyad)
      return { ...s, frictions: [...s.frictions, frictionOf(fact.data)] }
    }
    case 'FrictionResolved': {
      const { frictionId, resolution } = fact.data
      return mapFriction(tracked(state, fact.data.dyad), frictionId, (f) => ({
        ...f,
        status: 'resolved',
        resolution,
      }))
    }
    case 'CooperationRecorded': {
      const s = tracked(state, fact.data.dyad)
      return { ...s, cooperation: [...s.cooperation, cooperationOf(fact.data)] }
    }
    case 'RelationshipAssessed': {
      const { dyad, sources: _, ...assessment } = fact.data
      return { ...tracked(state, dyad), assessment }
    }
    default:
      return state
  }
}

/**
 * Folds one event into the relationship's state. A correction or retraction folds the
 * relationship's facts again as corrected (see `evolveCorrected`).
 */
export function evolveRelationship(
  state: RelationshipState,
  event: RelationshipEvent,
): RelationshipState {
  return evolveCorrected(state, event, { status: 'none' }, applyRelationshipFact)
}
