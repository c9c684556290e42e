import type { JsonObject } from '../domain/json.js'
import { upcast } from '../domain/upcasters.js'
import type { LeanRecordedEvent } from '../eventstore/index.js'
import type { ProjectedEvent } from './projection.js'

/** A stored event as projections see it: data upcast to its type's current schema. */
export function toProjectedEvent(event: LeanRecordedEvent): ProjectedEvent {
  const { data } = upcast(event.type, event.schemaVersion, event.data)
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
    recordedAt: event.recordedAt.toISOString(),
    type: event.type,
    data: data as JsonObject,
  }
}
