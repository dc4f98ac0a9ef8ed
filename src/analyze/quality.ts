// Data-quality findings of the analyses themselves, added to the source's diagnostics so every
// report lists them beside the recorder's losses (docs/robustness.md): time going backwards on a
// CPU, kvm_exit/kvm_entry events missing their partner, exit/entry pairs in the wrong time order, and
// threads that have events but no name anywhere in the trace.
import type { TraceSource } from '../model/trace-source.js';
import type { AnalysisResults } from './run.js';

export function addQualityDiagnostics<R extends AnalysisResults>(source: TraceSource, res: R): R {
  const d = source.diag;
  const back = res.counts.backwards ?? 0;
  if (back > 0) d.add('time-backwards', 'warning', `${back} events are older than the event before them on the same CPU (clock or recorder fault); analyses skip the negative intervals`, back);
  const ex = res.exits;
  if (ex.unpaired > 0) d.add('exit-without-entry', 'info', `${ex.unpaired} kvm_exit events have no kvm_entry after them (lost events, or the trace ended inside the exit); their durations are not counted`, ex.unpaired);
  const entries = ex.entriesWithoutExit ?? 0;
  if (entries > 0) d.add('entry-without-exit', 'info', `${entries} kvm_entry events have no kvm_exit before them (one per vCPU is normal at the trace start; more means lost events)`, entries);
  const bp = ex.backwardPairs ?? 0;
  if (bp > 0) d.add('exit-entry-backwards', 'warning', `${bp} kvm_exit/kvm_entry pairs have the entry before the exit in time; left out of every exit duration`, bp);
  let unnamed = 0;
  for (const tid of ex.byThread.keys()) if (tid > 0 && !res.comms.has(tid)) unnamed++;
  for (const tid of res.scheduling.keys()) if (tid > 0 && !res.comms.has(tid) && !ex.byThread.has(tid)) unnamed++;
  if (unnamed > 0) d.add('thread-without-comm', 'info', `${unnamed} threads in the analyses have no name anywhere in the trace (no saved_cmdlines entry, COMM record or sched_switch naming them); shown by thread id`, unnamed);
  return res;
}
