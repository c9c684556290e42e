import type { Command } from './decider.js'
import { DomainRuleError, type FieldViolation, NotFoundError, ValidationError } from './errors.js'
import { checkMetadata } from './values/source.js'

/**
 * Rules that a well-formed command can still break in the aggregate's current state. Each is
 * the stable `code` of a `DomainRuleError`; its details name the field the rule is about.
 */
export const DOMAIN_RULE_CODES = [
  'visit-already-scheduled',
  'visit-not-active',
  'visit-period-unchanged',
  'visit-not-started',
  'engagement-outside-visit',
  'engagement-id-taken',
  'engagement-unchanged',
  'unknown-engagement',
  'delegation-member-duplicate',
  'unknown-delegation-member',
  'call-already-recorded',
  'meeting-already-announced',
  'meeting-not-active',
  'meeting-date-outside-window',
  'meeting-window-unchanged',
  'meeting-not-held',
  'meeting-held-in-future',
  'outcome-id-taken',
  'statement-already-published',
  'dyad-mismatch',
  'friction-id-taken',
  'unknown-friction',
  'friction-already-resolved',
  'fact-already-retracted',
] as const
export type DomainRuleCode = (typeof DOMAIN_RULE_CODES)[number]

/**
 * Rules of well-formed input: the `rule` of a `ValidationError` detail (code
 * `validation-failed`). Several can be reported at once, each with its field.
 */
export const VALIDATION_RULES = [
  'required',
  'text-too-long',
  'id-format',
  'one-of',
  'iso-3166-1-alpha-2',
  'iana-time-zone',
  'person-id',
  'url',
  'edtf-format',
  'edtf-range',
  'instant-format',
  'date-format',
  'period-order',
  'period-unbounded',
  'source-required',
  'source-published-after-command',
  'call-needs-two-participants',
  'participant-duplicate',
  'delegation-member-duplicate',
  'dyad-same-country',
  'call-initiator-not-participant',
  'changes-required',
  'correction-target-not-correctable',
  'correction-field-not-correctable',
  'correction-changes-identity',
] as const
export type ValidationRule = (typeof VALIDATION_RULES)[number]

/** Collects field violations so that one error reports every broken rule of a command. */
export class Violations {
  readonly list: FieldViolation[] = []

  add(field: string, rule: ValidationRule, message: string): void {
    this.list.push({ field, rule, message })
  }

  /** Adds the violation when `ok` is false; returns `ok` so callers can skip dependent checks. */
  check(ok: boolean, field: string, rule: ValidationRule, message: string): boolean {
    if (!ok) this.add(field, rule, message)
    return ok
  }

  /** Throws a `ValidationError` naming every violation, if there are any. */
  throwIfAny(what: string): void {
    if (this.list.length > 0) {
      const fields = this.list.map((v) => `${v.field} (${v.rule})`).join(', ')
      throw new ValidationError(`${what} is not valid: ${fields}`, this.list)
    }
  }
}

/** The error for a broken domain rule, with a detail naming the field. */
export function ruleBroken(code: DomainRuleCode, field: string, message: string): DomainRuleError {
  return new DomainRuleError(code, message, [{ field, rule: code, message }])
}

/** The error for a command addressed to an aggregate that was never recorded. */
export function notFound(what: string, id: string): NotFoundError {
  return new NotFoundError(what, id)
}

/**
 * Checks a command's metadata (actor, time, sources) and, with `checkData`, its data: the rules
 * that need no state. Throws one `ValidationError` naming every broken rule.
 */
export function checkCommand<C extends Command>(
  command: C,
  checkData: (v: Violations, command: C) => void,
): void {
  const v = new Violations()
  checkMetadata(v, command.metadata)
  checkData(v, command)
  v.throwIfAny(command.type)
}
