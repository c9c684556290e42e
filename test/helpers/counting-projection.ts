import type { Projection } from '../../src/projections/projection.js'

/**
 * A projection for testing the runner: counts each stream's events and keeps the versions it
 * saw, so that an event applied twice or skipped shows. `Poison` events make it throw.
 */
export function countingProjection(name = 'stream-counts', version = 1): Projection {
  return {
    name,
    version,
    eventTypes: ['Counted', 'Poison'],
    keysOf: (event) => [{ kind: 'stream', id: event.streamId }],
    evolve(doc, event) {
      if (event.type === 'Poison') throw new Error(`cannot apply ${event.eventId}`)
      const versions = [...((doc?.versions as number[]) ?? []), event.streamVersion]
      return { count: versions.length, versions }
    },
    rows: (key, doc) => [{ kind: 'stream', id: key.id, doc, people: [], countries: [] }],
  }
}
