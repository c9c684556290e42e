import { EntenteError } from './errors.js'
import { isDomainEventType, schemaVersionOf } from './event-schemas.js'
import { isObject } from './json.js'

/** Turns data of version n into data of version n + 1. Pure, total on what was ever written. */
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>

/** A stored event's data that this version of Entente cannot read. */
export class UnsupportedSchemaError extends EntenteError {
  constructor(type: string, version: number) {
    super(
      'event-schema-unsupported',
      `${type} v${version} is newer than this version of Entente reads (v${schemaVersionOf(type)})`,
    )
  }
}

/**
 * A slug for a name, as ids were made for people who have no Wikidata QID: lower case, accents
 * dropped, runs of other characters as one dash. Names with no Latin letters or digits get a
 * stable hash instead.
 */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')
  if (slug) return slug
  let hash = 0x811c9dc5 // FNV-1a, 32 bits
  for (const ch of name) hash = Math.imul(hash ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0
  return `person-${hash.toString(16).padStart(8, '0')}`
}

/**
 * CallRecorded v1 → v2. v1 named participants only (`{ name, country }`) and the initiator by
 * name; v2 gives each a Person id (a slug of the name: a QID cannot be guessed) and names the
 * initiator by that id. v1 also had no `quotes`.
 */
function callRecordedV1toV2(data: Record<string, unknown>): Record<string, unknown> {
  const { initiator, participants, ...rest } = data
  const people = (participants as { name: string; country: string }[]).map((p) => ({
    id: slugOf(p.name),
    name: p.name,
    country: p.country,
  }))
  const initiatorId = typeof initiator === 'string' ? { initiatorId: slugOf(initiator) } : {}
  return { quotes: [], ...rest, participants: people, ...initiatorId }
}

/**
 * MeetingConfirmed and MeetingRescheduled v1 → v2 (`dyads` added), VisitRescheduled v1 → v2
 * (`dyad` added). Nothing in v1 data names the pairs, and an upcaster sees only the event: the
 * data stays as it was, and readers take the pairs from the stream's announcement or
 * scheduling, as they had to for v1.
 */
const pairsNotRecorded: Upcaster = (data) => data

/** Upcasters by event type; index i turns version i + 1 into version i + 2. */
const UPCASTERS: Record<string, Upcaster[]> = {
  CallRecorded: [callRecordedV1toV2],
  MeetingConfirmed: [pairsNotRecorded],
  MeetingRescheduled: [pairsNotRecorded],
  VisitRescheduled: [pairsNotRecorded],
}

/**
 * Brings a stored event's data to its type's current schema version. Types this registry does
 * not know pass through unchanged. A version newer than the registry's is an error.
 */
export function upcast(
  type: string,
  schemaVersion: number,
  data: unknown,
): { schemaVersion: number; data: unknown } {
  if (!isDomainEventType(type)) return { schemaVersion, data }
  const current = schemaVersionOf(type)
  if (schemaVersion > current || schemaVersion < 1 || !Number.isInteger(schemaVersion))
    throw new UnsupportedSchemaError(type, schemaVersion)
  let result = data
  for (let version = schemaVersion; version < current; version++) {
    const step = UPCASTERS[type]?.[version - 1]
    if (!step || !isObject(result)) throw new UnsupportedSchemaError(type, schemaVersion)
    result = step(result)
  }
  return { schemaVersion: current, data: result }
}
