import type { Violations } from '../rules.js'

/**
 * The 249 officially assigned ISO 3166-1 alpha-2 codes, plus XK: user-assigned, but how the EU,
 * the IMF and Unicode CLDR name Kosovo, which a diplomatic record cannot do without. Reserved
 * codes such as UK or EU are refused: the United Kingdom is GB.
 */
const CODES: ReadonlySet<string> = new Set(
  [
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ',
    'BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ',
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ',
    'DE DJ DK DM DO DZ',
    'EC EE EG EH ER ES ET',
    'FI FJ FK FM FO FR',
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY',
    'HK HM HN HR HT HU',
    'ID IE IL IM IN IO IQ IR IS IT',
    'JE JM JO JP',
    'KE KG KH KI KM KN KP KR KW KY KZ',
    'LA LB LC LI LK LR LS LT LU LV LY',
    'MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ',
    'NA NC NE NF NG NI NL NO NP NR NU NZ',
    'OM',
    'PA PE PF PG PH PK PL PM PN PR PS PT PW PY',
    'QA',
    'RE RO RS RU RW',
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ',
    'TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ',
    'UA UG UM US UY UZ',
    'VA VC VE VG VI VN VU',
    'WF WS',
    'YE YT',
    'ZA ZM ZW',
    'XK',
  ]
    .join(' ')
    .split(' '),
)

/** An ISO 3166-1 alpha-2 country code, e.g. `FR`. */
export type CountryCode = string

/** Two different countries, sorted: the key of a bilateral relationship. */
export type Dyad = readonly [CountryCode, CountryCode]

export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && CODES.has(value)
}

/** Checks an ISO 3166-1 alpha-2 code; upper case only, as the standard writes them. */
export function checkCountry(v: Violations, value: unknown, field: string): boolean {
  return v.check(
    isCountryCode(value),
    field,
    'iso-3166-1-alpha-2',
    `${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 country code`,
  )
}

/** The sorted pair of two countries; the caller has checked that they differ. */
export function dyadOf(a: CountryCode, b: CountryCode): Dyad {
  return a < b ? [a, b] : [b, a]
}

/** Every sorted pair of distinct countries among `countries`, in order. */
export function dyadsAmong(countries: readonly CountryCode[]): Dyad[] {
  const distinct = [...new Set(countries)].sort()
  const dyads: Dyad[] = []
  for (let i = 0; i < distinct.length; i++)
    for (let j = i + 1; j < distinct.length; j++) dyads.push([distinct[i]!, distinct[j]!])
  return dyads
}
