import { type TSchema, Type } from 'typebox'
import { PRECISIONS } from '../../domain/values/imprecise-time.js'

/**
 * Value types as the API writes them. Shapes only: the domain checks every rule (ISO codes,
 * IANA zones, EDTF grammar, dates) and reports each broken one with its field.
 */

/** Ids that come in with commands: a UUID, a slug, or a short token without spaces. */
export const Id = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  description: '1 to 128 letters, digits, or . _ : - starting with a letter or digit',
})

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 code, upper case (GB, not UK)',
  examples: ['FR'],
})

export const PersonId = Type.String({
  pattern: '^(Q[1-9][0-9]*|[a-z0-9]+(-[a-z0-9]+)*)$',
  maxLength: 100,
  description: 'A Wikidata QID (Q10853588) where known, else a lower-case slug (jane-doe)',
})

export const ShortText = Type.String({ minLength: 1, maxLength: 300 })
export const LongText = Type.String({ minLength: 1, maxLength: 20_000 })
export const Texts = Type.Array(ShortText, { maxItems: 100 })

/** A date (2021-10-22) or an RFC 3339 instant; the domain checks that it is a real one. */
export const DateOrInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'A date (2021-10-22) or an RFC 3339 instant with its offset',
})

export const Instant = Type.String({
  format: 'date-time',
  description: 'An RFC 3339 instant, e.g. 2021-10-23T12:00:00Z',
})

/** `?asOf=`: the record as it stood at this recorded time. */
export const AsOf = Type.String({
  format: 'date-time',
  description: 'Read the record as it stood at this recorded time (RFC 3339)',
})

export const Person = Type.Object(
  {
    id: PersonId,
    name: ShortText,
    office: Type.Optional(ShortText),
    country: CountryCode,
  },
  { additionalProperties: false, description: 'A person as the record knows them at the time' },
)

export const Place = Type.Object(
  {
    city: ShortText,
    country: CountryCode,
    venue: Type.Optional(ShortText),
    timeZone: Type.String({ maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' }),
  },
  { additionalProperties: false },
)

/**
 * An imprecise time as clients send it: EDTF text and where it came from. The server computes
 * the earliest and latest instants; a client may not send them (nor the precision).
 */
export const ImpreciseTimeInput = Type.Object(
  {
    edtf: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'EDTF (ISO 8601-2): 2021-11, 2021-11-11, [2021-10-23..2021-10-31], ' +
        '2021-11-11T10:00:00+01:00, 2023-02-05/..',
    }),
    phrase: Type.Optional(ShortText),
    relativeTo: Type.Optional(DateOrInstant),
  },
  { additionalProperties: false, description: 'EDTF text; bounds are computed by the server' },
)

/** An imprecise time as the server stores it: with its bounds (null at an open end). */
export const ImpreciseTime = Type.Object({
  edtf: Type.String(),
  precision: Type.Enum(PRECISIONS),
  phrase: Type.Optional(Type.String()),
  relativeTo: Type.Optional(Type.String()),
  earliest: Type.Union([Type.String(), Type.Null()]),
  latest: Type.Union([Type.String(), Type.Null()]),
})

export const SourceCitation = Type.Object(
  {
    publisher: ShortText,
    title: Type.Optional(ShortText),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)

export const Source = Type.Object(
  {
    publisher: ShortText,
    title: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'As published; a title in [brackets] is one we supplied',
    }),
    url: Type.Optional(Type.String({ maxLength: 2000, description: 'An http(s) URL' })),
    publishedAt: DateOrInstant,
    quote: Type.Optional(LongText),
    derivedFrom: Type.Optional(Type.Array(SourceCitation, { maxItems: 20 })),
  },
  { additionalProperties: false, description: 'Where a fact comes from' },
)

export const Sources = Type.Array(Source, {
  minItems: 1,
  maxItems: 20,
  description: 'At least one source for the facts the command records',
})

export const Quote = Type.Object(
  { text: LongText, speakerId: Type.Optional(PersonId) },
  { additionalProperties: false },
)

export const DelegationMember = Type.Object(
  { person: Person, role: Type.Optional(ShortText) },
  { additionalProperties: false },
)

/** Any JSON object (event data, metadata): open by design. */
export const JsonObject = Type.Object({}, { additionalProperties: true })

/** `?limit=` of every list. */
export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 })

/** The `If-Match` and `Idempotency-Key` headers of every command. */
export const CommandHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      description:
        'The ETag (stream version) the caller last saw, e.g. "3": the command is refused ' +
        'with 412 when the resource has changed since',
    }),
  ),
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'Makes a retry safe: the same key with the same request replays the first response; ' +
        'with another request it is refused (422). Kept per API key.',
    }),
  ),
  'x-correlation-id': Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Stored with the events' }),
  ),
})

/** A `$ref` to the shared problem+json schema. */
export const ProblemRef = Type.Unsafe<unknown>({ $ref: 'Problem#' })

/** What any /v1 route may answer besides its own: the API key and rate limit refusals. */
const ACCESS_PROBLEMS: Record<number, string> = {
  401: 'No API key, or one that is malformed, unknown or revoked',
  403: 'The API key lacks the scope this route needs',
  429: 'Too many requests for this API key: see Retry-After',
}

/**
 * Problem responses: each status with the shared problem schema and what it means, plus the
 * access refusals every /v1 route may give.
 */
export function problems(statuses: Record<number, string>): Record<number, TSchema> {
  return Object.fromEntries(
    Object.entries({ ...ACCESS_PROBLEMS, ...statuses }).map(([status, description]) => [
      status,
      Type.Unsafe<unknown>({ $ref: 'Problem#', description }),
    ]),
  )
}

/** A page of a list: the items and, unless this is the last page, the cursor of the next. */
export function Page<T extends TSchema>(item: T, description: string) {
  return Type.Object({
    items: Type.Array(item, { description }),
    next: Type.Optional(
      Type.String({ description: 'Pass as `after` to get the next page; absent on the last' }),
    ),
  })
}
