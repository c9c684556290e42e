import t from 'tap'
import { DocumentCache } from '../../../src/api/document-cache.js'
import type { ReadModelChange, ReadModelNotifications } from '../../../src/eventstore/index.js'

/** Change notifications as the connection gives them, driven by the test. */
class Changes implements ReadModelNotifications {
  complete = true
  readonly #listeners = new Set<(change: ReadModelChange) => void>()
  onChange(listener: (change: ReadModelChange) => void) {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
  emit(change: ReadModelChange) {
    for (const listener of this.#listeners) listener(change)
  }
}

const entry = (n: number) => ({ doc: { n, position: n }, version: n, streamId: 'visit-1' })

t.test('a kept document is served until a change names it', async (t) => {
  const changes = new Changes()
  const cache = new DocumentCache(changes, 1_000)
  t.equal(cache.get('itinerary', 'visit\u00001', 'visit-1'), undefined, 'nothing before a read')
  cache.keep('itinerary', 'visit\u00001', entry(1), 10, cache.ticket('itinerary'))
  cache.keep('itinerary', 'visit\u00002', entry(2), 10, cache.ticket('itinerary'))
  t.same(cache.get('itinerary', 'visit\u00001', 'visit-1')?.doc, { n: 1, position: 1 })
  t.equal(cache.get('itinerary', 'visit\u00001', 'other-stream'), undefined, 'keyed by stream too')
  changes.emit({ projection: 'calendar', keys: ['visit\u00001'] })
  t.ok(cache.get('itinerary', 'visit\u00001', 'visit-1'), 'another projection’s change')
  changes.emit({ projection: 'itinerary', keys: ['visit\u00001'] })
  t.equal(cache.get('itinerary', 'visit\u00001', 'visit-1'), undefined, 'the changed one goes')
  t.ok(cache.get('itinerary', 'visit\u00002', 'visit-1'), 'the others stay')
  changes.emit({ projection: 'itinerary' })
  t.equal(cache.get('itinerary', 'visit\u00002', 'visit-1'), undefined, 'a whole-projection change')
  t.match(cache.stats(), { hits: 3, documents: 0, bytes: 0 })
})

t.test('a read that a change overtook is not kept', async (t) => {
  const changes = new Changes()
  const cache = new DocumentCache(changes, 1_000)
  const ticket = cache.ticket('itinerary')
  // The batch commits while the read is on its way back with what it saw before.
  changes.emit({ projection: 'itinerary', keys: ['visit\u00009'] })
  cache.keep('itinerary', 'visit\u00001', entry(1), 10, ticket)
  t.equal(cache.get('itinerary', 'visit\u00001', 'visit-1'), undefined)
  const reset = cache.ticket('itinerary')
  changes.emit({})
  cache.keep('itinerary', 'visit\u00001', entry(1), 10, reset)
  t.equal(cache.get('itinerary', 'visit\u00001', 'visit-1'), undefined, 'nor across a reset')
  const other = cache.ticket('itinerary')
  changes.emit({ projection: 'calendar' })
  cache.keep('itinerary', 'visit\u00001', entry(1), 10, other)
  t.ok(cache.get('itinerary', 'visit\u00001', 'visit-1'), 'another projection does not count')
})

t.test('nothing is served or kept while changes may be missed', async (t) => {
  const changes = new Changes()
  const cache = new DocumentCache(changes, 1_000)
  cache.keep('itinerary', 'visit\u00001', entry(1), 10, cache.ticket('itinerary'))
  changes.complete = false
  t.equal(cache.get('itinerary', 'visit\u00001', 'visit-1'), undefined)
  cache.keep('itinerary', 'visit\u00002', entry(2), 10, cache.ticket('itinerary'))
  changes.complete = true
  t.equal(cache.get('itinerary', 'visit\u00002', 'visit-1'), undefined)
})

t.test('the budget counts stored bytes and drops the least recently read', async (t) => {
  const cache = new DocumentCache(new Changes(), 100)
  cache.keep('itinerary', 'visit\u00001', entry(1), 60, cache.ticket('itinerary'))
  cache.keep('itinerary', 'visit\u00002', entry(2), 30, cache.ticket('itinerary'))
  cache.get('itinerary', 'visit\u00001', 'visit-1')
  cache.keep('itinerary', 'visit\u00003', entry(3), 30, cache.ticket('itinerary'))
  t.ok(cache.get('itinerary', 'visit\u00001', 'visit-1'), 'read lately: kept')
  t.equal(cache.get('itinerary', 'visit\u00002', 'visit-1'), undefined, 'the oldest read: dropped')
  t.ok(cache.stats().bytes <= 100)
  cache.keep('itinerary', 'visit\u00004', entry(4), 500, cache.ticket('itinerary'))
  t.equal(cache.get('itinerary', 'visit\u00004', 'visit-1'), undefined, 'larger than the budget')
})
