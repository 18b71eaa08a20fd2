/**
 * A dependency-free progress bar for long CLI jobs. On a TTY it redraws one
 * line in place (at most every `redrawMs`); otherwise (CI logs, pipes) it
 * prints a plain line every `logEveryMs`, so logs stay short but show life.
 * Rates use the injected clock, so tests control time.
 */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Shown before the bar, e.g. `simulate`. */
  label: string;
  /** Total units, when known; without it the bar shows a count and rate only. */
  total?: number;
  /** What a unit is called in the rate, e.g. `tx`. Default `items`. */
  unit?: string;
  /** Default process.stderr (stdout stays for results). */
  output?: ProgressOutput;
  /** Milliseconds, monotonic; default performance.now. */
  now?: () => number;
  /** TTY redraw throttle; default 100 ms. */
  redrawMs?: number;
  /** Non-TTY line interval; default 5000 ms. */
  logEveryMs?: number;
}

export interface ProgressBar {
  /** Sets the absolute progress (and optional trailing text, e.g. the simulated date). */
  update(done: number, note?: string): void;
  /** Adds `n` (default 1) to the progress. */
  tick(n?: number): void;
  /** Replaces the total, e.g. when an estimate becomes the real count. */
  setTotal(total: number | undefined): void;
  /** Draws the final state and ends the line; returns the summary it printed. */
  finish(note?: string): ProgressSummary;
}

export interface ProgressSummary {
  done: number;
  elapsedMs: number;
  /** Units per second over the whole run. */
  rate: number;
}

const BAR_WIDTH = 24;

/** `12.3k`, `4.56M`: short numbers for a one-line display. */
export function formatCount(n: number): string {
  if (n < 1_000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1_000).toFixed(n < 10_000 ? 2 : 1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const output = options.output ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = output.isTTY === true;
  const unit = options.unit ?? 'items';
  const interval = tty ? (options.redrawMs ?? 100) : (options.logEveryMs ?? 5_000);
  const started = now();
  let done = 0;
  let total = options.total;
  let note = '';
  let lastDraw = -Infinity;
  let finished = false;

  const line = (): string => {
    const elapsed = now() - started;
    const rate = elapsed > 0 ? (done / elapsed) * 1000 : 0;
    const parts = [options.label];
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = tty ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ` : '';
      parts.push(`${bar}${(ratio * 100).toFixed(1).padStart(5)}%`, `${formatCount(done)}/${formatCount(total)} ${unit}`);
      if (rate > 0 && done < total) parts.push(`eta ${formatDuration(((total - done) / rate) * 1000)}`);
    } else {
      parts.push(`${formatCount(done)} ${unit}`);
    }
    parts.push(`${formatCount(rate)} ${unit}/s`, formatDuration(elapsed));
    if (note) parts.push(note);
    return parts.join('  ');
  };

  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    if (tty) {
      const text = line();
      const width = output.columns ?? 120;
      output.write(`\r${text.length >= width ? text.slice(0, width - 1) : text}\x1b[K`);
    } else {
      output.write(`${line()}\n`);
    }
  };

  return {
    update(value, text) {
      if (finished) return;
      done = value;
      if (text !== undefined) note = text;
      draw(false);
    },
    tick(n = 1) {
      if (finished) return;
      done += n;
      draw(false);
    },
    setTotal(value) {
      total = value;
    },
    finish(text) {
      const elapsedMs = now() - started;
      if (!finished) {
        finished = true;
        if (text !== undefined) note = text;
        draw(true);
        if (tty) output.write('\n');
      }
      return { done, elapsedMs, rate: elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0 };
    },
  };
}
