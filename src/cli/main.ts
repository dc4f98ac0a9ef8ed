#!/usr/bin/env node
// kvmtrace's entry point. For `analyze` and `diff` it starts the reader thread's worker first, so the
// worker loads its modules while this thread loads the commands (a big trace's first events arrive
// ≈ 0.15 s sooner; an input that needs no reader thread leaves it idle, and it ends with the
// process). Then the command line itself (program.ts).
import { prestartReader } from '../ingest/io/source-thread.js';

const command = process.argv[2];
if (command === 'analyze' || command === 'diff') prestartReader();
await import('./program.js');
