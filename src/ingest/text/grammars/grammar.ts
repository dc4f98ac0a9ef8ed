// A text grammar: a claim on the head's statistics and the scanner options it reads its lines with.
import type { HeadStats } from '../head.js';
import type { ScanMode } from '../scan.js';

export interface TextGrammar {
  id: string;
  description: string;
  /** Wrapped lines continue the event before them (pasted excerpts). */
  joinContinuations?: boolean;
  claims(head: HeadStats): boolean;
  mode(head: HeadStats, isKnownEvent: ScanMode['isKnownEvent']): ScanMode;
}
