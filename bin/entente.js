#!/usr/bin/env -S node --max-semi-space-size=64
// The `entente` command. Sources are TypeScript, run through tsx's loader: no build step.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src/app/cli.ts')
await runCli(process.argv)
