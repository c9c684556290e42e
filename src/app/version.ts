import { createRequire } from 'node:module'

/** The package version, shown in the OpenAPI document and the CLI. */
export const VERSION: string = createRequire(import.meta.url)('../../package.json').version
