import type { Command, Decider, Event } from '../../../src/domain/decider.js'
import { EntenteError, ValidationError } from '../../../src/domain/errors.js'

/** The assertions a spec needs; tap's `t` has them. */
interface Asserts {
  strictSame(found: unknown, wanted: unknown, message: string): unknown
  ok(value: unknown, message: string): unknown
  equal(found: unknown, wanted: unknown, message: string): unknown
  fail(message: string): unknown
}

/**
 * Given/when/then for deciders, after emmett's DeciderSpecification:
 *
 *   visit(t).given([scheduled]).when(addEngagement).then([engagementAdded])
 *   visit(t).given([]).when(badCommand).thenThrows('edtf-format', '/period/edtf')
 *
 * `then` also folds the produced events, so `evolve` must accept what `decide` produced.
 */
export function specFor<C extends Command, E extends Event, S>(decider: Decider<C, E, S>) {
  return (t: Asserts) => ({
    given: (events: E[]) => ({
      when: (command: C) => {
        const state = events.reduce(decider.evolve, decider.initialState())
        const run = (): E[] => decider.decide(command, state)
        return {
          /** The events decided, equal to `expected`; returns the state after them. */
          // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; never awaited
          then(expected: E[]): S {
            const produced = run()
            t.strictSame(produced, expected, `${command.type} produces the expected events`)
            return produced.reduce(decider.evolve, state)
          },
          /** The events decided, for assertions of their own. */
          produced: run,
          /**
           * Decide throws, so nothing is appended. `rule` is a domain rule's code or a
           * validation rule; `field` the JSON pointer a detail must name.
           */
          thenThrows(rule: string, field?: string): EntenteError | undefined {
            let error: unknown
            try {
              const produced = run()
              t.fail(
                `${command.type} should be refused (${rule}) but produced ${produced.length} events`,
              )
              return undefined
            } catch (e) {
              error = e
            }
            if (!(error instanceof EntenteError)) {
              t.fail(`expected an EntenteError, got ${String(error)}`)
              return undefined
            }
            if (rule === 'not-found') {
              t.equal(error.code, 'not-found', 'the error is not-found')
              return error
            }
            const expectedCode = error instanceof ValidationError ? 'validation-failed' : rule
            t.equal(error.code, expectedCode, `the error code is ${expectedCode}`)
            const match = error.details.some(
              (d) => d.rule === rule && (!field || d.field === field),
            )
            t.ok(
              match,
              `a detail names ${field ?? 'a field'} with rule ${rule}: ${JSON.stringify(error.details)}`,
            )
            return error
          },
        }
      },
    }),
  })
}
