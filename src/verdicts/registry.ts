// The verdict rules, in catalogue order (the report orders verdicts by impact, not by this list).
import { eventsLost } from './rules/events-lost.js';
import { eptViolations, ipiExits, longExits } from './rules/exits.js';
import { haltPollTooShort, haltPollWasted, hltExitsOnDedicatedCpus } from './rules/halt.js';
import { emulatorThreadPlacement, vcpuStacking, wakeAffineMigrations } from './rules/placement.js';
import { pauseLoopSpinning } from './rules/spin.js';
import { timerLate } from './rules/timers.js';
import { VERDICT_IDS } from './thresholds.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  vcpuStacking, wakeAffineMigrations, pauseLoopSpinning, timerLate, haltPollWasted, haltPollTooShort,
  hltExitsOnDedicatedCpus, ipiExits, eptViolations, longExits, emulatorThreadPlacement, eventsLost,
];

// Every catalogue id has exactly one rule.
for (const id of VERDICT_IDS) if (RULES.filter((r) => r.id === id).length !== 1) throw new Error(`verdict registry: ${id} needs exactly one rule`);
