/**
 * The one error hierarchy of Entente. Every error has a stable `code` (kebab-case, never
 * renamed once published) and optional field-level `details`. The API maps each code to an
 * HTTP status and an `application/problem+json` body in one place (`src/api/problem.ts`).
 */
export interface FieldViolation {
  /** JSON pointer-ish path of the offending field, e.g. `/period/edtf` or `streamId`. */
  field: string
  /** The rule that was broken, e.g. `edtf-format`, `iso-3166-1-alpha-2`, `required`. */
  rule: string
  message: string
}

export class EntenteError extends Error {
  readonly code: string
  readonly details: readonly FieldViolation[]

  constructor(code: string, message: string, details: readonly FieldViolation[] = []) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.details = details
  }
}

/** Input that breaks a rule of the model: the request can be fixed by the caller. */
export class ValidationError extends EntenteError {
  constructor(message: string, details: readonly FieldViolation[]) {
    super('validation-failed', message, details)
  }
}

/** A command that is well formed but not allowed in the aggregate's current state. */
export class DomainRuleError extends EntenteError {}

/** Nothing recorded under this id. */
export class NotFoundError extends EntenteError {
  constructor(what: string, id: string) {
    super('not-found', `${what} ${id} was not found`)
  }
}
