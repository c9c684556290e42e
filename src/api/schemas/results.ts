import { Type } from 'typebox'
import { CommandHeaders, problems } from './common.js'

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

const ETag = {
  etag: Type.String({ description: 'The stream version, quoted: "3"' }),
}

/** The responses of a command route: the result (201 when it creates), and every problem. */
export function commandResponses(created: boolean) {
  const ok = Type.Unsafe<unknown>({
    $ref: 'CommandResult#',
    description: created ? 'Recorded; Location names the new resource' : 'Recorded',
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

export const commandHeaders = CommandHeaders
export { ETag }
