/**
 * The part of the untyped `edtf` package (4.x) that Entente uses. Only what
 * `src/app/imprecise-time.ts` touches is declared; see the package README for the rest.
 */
declare module 'edtf' {
  /** What `parse` returns: a plain description of the value, before any date arithmetic. */
  export interface ParseResult {
    type: 'Date' | 'Year' | 'Season' | 'Decade' | 'Century' | 'Interval' | 'List' | 'Set'
    level: number
    values: unknown[]
    offset?: number
    timeZone?: string
    earlier?: boolean
    later?: boolean
  }

  /** One EDTF value. `min`/`max` are epoch milliseconds; ±Infinity or null at open ends. */
  export interface ExtDateTime {
    readonly type: ParseResult['type']
    readonly edtf: string
    readonly min: number | null
    readonly max: number | null
    /** Date precision: 0 (timed or none), 1 year, 2 month, 3 day. */
    readonly precision?: number
    readonly values: unknown[]
  }

  /** An interval `a/b`: each end a date, `Infinity` for `..`, null for an unknown end. */
  export interface Interval extends ExtDateTime {
    readonly lower: ExtDateTime | number | null
    readonly upper: ExtDateTime | number | null
  }

  /** A list `{…}` or set `[…]`: members are dates or `[from, to]` ranges. */
  export interface List extends ExtDateTime {
    readonly values: (ExtDateTime | [ExtDateTime, ExtDateTime])[]
    readonly earlier: boolean
    readonly later: boolean
  }

  export interface ParseConstraints {
    level?: 0 | 1 | 2 | 3
    types?: ParseResult['type'][]
  }

  /** Parser defaults; `offset` is the UTC offset in minutes given to untimed values. */
  export const defaults: {
    level: number
    offset: boolean | number
    types: string[]
    seasonIntervals: boolean
    seasonUncertainty: boolean
  }

  /** Parses an EDTF string; throws on a syntax error. */
  export function parse(input: string, constraints?: ParseConstraints): ParseResult

  /** Builds the value from a string or a parse result. */
  export default function edtf(input: string | ParseResult): ExtDateTime
}
