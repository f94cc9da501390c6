/**
 * Progress of a long run on stderr, so stdout keeps only the result. A terminal gets one line
 * rewritten in place; a log or a pipe gets a line once a second or every 100 messages,
 * whichever comes first.
 */
export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastAt = 0;
  private lastCount = 0;

  update(count: number, text: string): void {
    const now = Date.now();
    const due = this.tty ? now - this.lastAt >= 100 : now - this.lastAt >= 1_000 || count - this.lastCount >= 100;
    if (!due) return;
    this.lastAt = now;
    this.lastCount = count;
    this.write(text);
  }

  /** The last state, always shown, then the line is closed. */
  done(text: string): void {
    this.write(text);
    if (this.tty) process.stderr.write('\n');
  }

  private write(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }
}
