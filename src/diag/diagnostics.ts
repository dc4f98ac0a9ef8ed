// Recoverable data problems, counted by code and shown in every report's data-quality section
// (the model is Perfetto's `stats` table: a code, a severity, a count and the first few places).

export type DiagSeverity = 'info' | 'warning' | 'data-loss';

export interface DiagEntry {
  code: string;
  severity: DiagSeverity;
  count: number;
  /** First message recorded for this code (with its offset), to show where it happened. */
  message: string;
  examples: string[];
}

const MAX_EXAMPLES = 5;

export class Diagnostics {
  private readonly entries = new Map<string, DiagEntry>();

  add(code: string, severity: DiagSeverity, message: string, count = 1): void {
    const e = this.entries.get(code);
    if (e) {
      e.count += count;
      if (e.examples.length < MAX_EXAMPLES) e.examples.push(message);
      return;
    }
    this.entries.set(code, { code, severity, count, message, examples: [message] });
  }

  has(code: string): boolean {
    return this.entries.has(code);
  }

  list(): DiagEntry[] {
    return [...this.entries.values()];
  }
}
