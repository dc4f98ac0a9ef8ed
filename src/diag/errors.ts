// Fatal input problems. Every error that reaches the user names the file, what is wrong and where
// (byte offset for binary input, line for text); the CLI turns it into one line and exit status 2.

export class InputError extends Error {
  constructor(
    message: string,
    /** Byte offset in the file (or in the decompressed section named in the message). */
    readonly offset?: number,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** Same error, now naming the file it came from. */
  withFile(file: string): InputError {
    return this.file ? this : new InputError(this.message, this.offset, file);
  }

  /** One line: `file: message (at byte N)`. */
  describe(): string {
    const where = this.offset !== undefined ? ` (at byte ${this.offset})` : '';
    // Messages quote bytes from the file: control characters are escaped so the error stays one line.
    const msg = this.message.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return `${this.file ?? '<input>'}: ${msg}${where}`;
  }
}

/** Wrong command-line usage (unknown buffer name, bad option value). Exit status 2 as well. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
