import { type FieldViolation, ValidationError } from '../domain/errors.js'
import { LIMITS } from './limits.js'
import type { ExpectedVersion, NewEvent } from './types.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// Control characters would make ids ambiguous in logs, headers and the hash input.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u001f\u007f]/
// jsonb refuses "\ud800" without its pair: such text cannot be stored as sent.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Checks that a value is plain JSON that survives jsonb unchanged: objects, arrays, strings
 * without NUL or lone surrogates, finite numbers, booleans and null. Reports each offending path.
 */
export function jsonViolations(value: unknown, path: string, out: FieldViolation[] = []) {
  const seen = new Set<object>()
  const walk = (v: unknown, at: string): void => {
    if (out.length >= 20) return
    if (v === null || typeof v === 'boolean') return
    if (typeof v === 'string') {
      if (v.includes('\u0000'))
        out.push({ field: at, rule: 'json-string', message: 'strings may not contain NUL' })
      else if (LONE_SURROGATE.test(v))
        out.push({ field: at, rule: 'json-string', message: 'a lone UTF-16 surrogate is not text' })
      return
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        out.push({ field: at, rule: 'json-number', message: `${v} is not a JSON number` })
      return
    }
    if (typeof v === 'object') {
      if (seen.has(v)) {
        out.push({ field: at, rule: 'json-acyclic', message: 'the value refers to itself' })
        return
      }
      const proto = Object.getPrototypeOf(v)
      if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
        out.push({
          field: at,
          rule: 'json-value',
          message: `a ${v.constructor?.name ?? 'non-plain object'} is not plain JSON`,
        })
        return
      }
      seen.add(v)
      for (const [key, child] of Object.entries(v)) walk(child, `${at}/${key}`)
      seen.delete(v)
      return
    }
    out.push({ field: at, rule: 'json-value', message: `a ${typeof v} is not JSON` })
  }
  walk(value, path)
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Validates an append before it reaches the database, so that bad input gets a typed error
 * naming the field and nothing is written. Returns the jsonb payload for the append function.
 */
export function validateAppend(
  streamId: unknown,
  events: readonly NewEvent[],
  expected: ExpectedVersion,
): string {
  const violations: FieldViolation[] = []
  const fail = (field: string, rule: string, message: string) =>
    violations.push({ field, rule, message })

  if (typeof streamId !== 'string' || streamId.trim() === '')
    fail('streamId', 'required', 'a stream id is required')
  else if (streamId.length > LIMITS.streamIdLength)
    fail('streamId', 'max-length', `at most ${LIMITS.streamIdLength} characters`)
  else if (CONTROL.test(streamId))
    fail('streamId', 'no-control-characters', 'control characters are not allowed')

  if (
    !(expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') &&
    !(
      typeof expected === 'number' &&
      Number.isSafeInteger(expected) &&
      expected >= 0 &&
      expected <= LIMITS.streamVersion
    )
  )
    fail(
      'expectedVersion',
      'expected-version',
      `any, no_stream, stream_exists or a version from 0 to ${LIMITS.streamVersion}`,
    )

  if (!Array.isArray(events) || events.length === 0)
    fail('events', 'min-items', 'at least one event is required')
  else if (events.length > LIMITS.eventsPerAppend)
    fail('events', 'max-items', `at most ${LIMITS.eventsPerAppend} events per append`)

  const ids = new Set<string>()
  const payload: string[] = []
  if (violations.length === 0) {
    events.forEach((event, i) => {
      const at = `events/${i}`
      if (typeof event.eventId !== 'string' || !UUID.test(event.eventId))
        fail(`${at}/eventId`, 'uuid', 'an event id must be a UUID')
      else if (ids.has(event.eventId.toLowerCase()))
        fail(`${at}/eventId`, 'unique', 'the same event id appears twice in one append')
      else ids.add(event.eventId.toLowerCase())
      if (typeof event.type !== 'string' || event.type.trim() === '')
        fail(`${at}/type`, 'required', 'an event type is required')
      else if (event.type.length > LIMITS.eventTypeLength || CONTROL.test(event.type))
        fail(`${at}/type`, 'event-type', 'at most 200 characters, no control characters')
      const schemaVersion = event.schemaVersion ?? 1
      if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1)
        fail(`${at}/schemaVersion`, 'positive-integer', 'a schema version is 1 or more')
      if (!isPlainObject(event.data)) fail(`${at}/data`, 'object', 'event data must be an object')
      else jsonViolations(event.data, `${at}/data`, violations)
      if (event.metadata !== undefined && !isPlainObject(event.metadata))
        fail(`${at}/metadata`, 'object', 'metadata must be an object')
      else jsonViolations(event.metadata ?? {}, `${at}/metadata`, violations)
      if (violations.length > 0) return
      const entry = {
        event_id: event.eventId.toLowerCase(),
        event_type: event.type,
        schema_version: schemaVersion,
        data: event.data,
        metadata: event.metadata ?? {},
      }
      const json = JSON.stringify(entry)
      if (Buffer.byteLength(json) > LIMITS.eventBytes)
        fail(`${at}`, 'max-size', `an event may hold at most ${LIMITS.eventBytes} bytes`)
      payload.push(json)
    })
  }
  if (violations.length > 0) throw new ValidationError('the append is not valid', violations)
  return `[${payload.join(',')}]`
}
