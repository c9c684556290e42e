import { Type } from 'typebox'
import { problems } from './common.js'

/** What an accepted command answers: the stream, its new version and the events appended. */
export const CommandResult = Type.Object(
  {
    id: Type.Optional(
      Type.String({ description: 'The id of what the command recorded (visit, engagement…)' }),
    ),
    streamId: Type.String({ examples: ['visit-3f0c…'] }),
    version: Type.Integer({
      minimum: 0,
      description: 'The stream’s version after the command: its ETag',
    }),
    events: Type.Array(
      Type.Object({
        eventId: Type.String({ format: 'uuid' }),
        type: Type.String(),
        streamVersion: Type.Integer(),
        globalPosition: Type.Integer(),
      }),
      { description: 'The events appended; none when the command changed nothing' },
    ),
  },
  { $id: 'CommandResult' },
)

/** The ETag response header: the resource's stream version. */
export const ETagHeader = {
  type: 'string',
  description: 'The stream version, quoted ("3"): send it back in If-Match',
} as const

/** A success response that carries the resource's ETag (`$ref` to a shared schema). */
export function withETag(ref: string, description: string) {
  return Type.Unsafe<unknown>({ $ref: ref, description, headers: { etag: ETagHeader } })
}

/** The responses of a command route: the result (201 when it creates), and every problem. */
export function commandResponses(created: boolean) {
  const ok = Type.Unsafe<unknown>({
    $ref: 'CommandResult#',
    description: created ? 'Recorded; Location names the new resource' : 'Recorded',
    headers: {
      etag: ETagHeader,
      ...(created ? { location: { type: 'string', description: 'The resource recorded' } } : {}),
      'idempotent-replayed': {
        type: 'string',
        description: '`true` when this is the stored answer to an earlier request with the key',
      },
    },
  })
  return {
    [created ? 201 : 200]: ok,
    ...problems({
      400: 'The request does not match the schema (each field and rule listed)',
      404: 'Nothing recorded under this id',
      409: 'A rule of the record’s current state, a concurrent change, or the idempotency key is in use',
      412: 'If-Match names an older version of the resource',
      422: 'The command breaks a rule of the model, or the idempotency key was used for another request',
    }),
  }
}
