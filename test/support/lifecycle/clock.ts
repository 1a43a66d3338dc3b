/**
 * A virtual clock for the local CloudFormation stand-in: time that is waited (the waiter state
 * machine's interval, CloudFormation's ServiceTimeout) passes at once, time that is worked (a
 * Lambda function running, an HTTP call to an emulator) passes as it really does.
 *
 * `now()` is real time plus every wait skipped so far. A wait is skipped only when nothing is
 * working (no `busy()` section is running): then the clock jumps to the earliest wake-up, and
 * the waits run in the order they would in real time, however many resources wait side by side.
 * A wait whose moment real time reaches first (while something works) ends then, as in reality.
 *
 * Hand `clock.now` to the AmplifyBackend emulator (`AmplifyBackendEmulator.start({ now })`) so its
 * jobs age on the same clock.
 */

/** Real time, whatever `Date.now` reads while functions run on the virtual clock. */
export const realNow: () => number = Date.now.bind(Date);

export interface VirtualClockOptions {
  /** The clock's reading when it is made, epoch ms. @default Date.now() */
  readonly start?: number;
  /**
   * Real time every wait takes at least (capped at the wait's own length), so that code polling
   * another process gets a turn. @default 0
   */
  readonly realPauseMs?: number;
  /**
   * Whether the functions the stand-in runs read this clock through `Date.now()`, as in AWS,
   * where a function and the service share one time. Set it when the AmplifyBackend emulator runs
   * on this clock too: the handler compares its own times with the service's job times.
   * @default false
   */
  readonly functionsReadIt?: boolean;
}

interface Sleeper {
  readonly wakeAt: number;
  /** Real time (Date.now()) before which the wait may not be skipped. */
  readonly eligibleAt: number;
  readonly seq: number;
  readonly wake: () => void;
}

export class VirtualClock {
  /** The virtual time, epoch ms. A bound function: pass `clock.now` around as a plain `() => number`. */
  readonly now: () => number;
  private offset: number;
  private busyCount = 0;
  private readonly sleepers = new Set<Sleeper>();
  private seq = 0;
  private checkTimer?: NodeJS.Timeout;
  private readonly realPauseMs: number;
  private readonly functionsReadIt: boolean;
  private dateNowReaders = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.offset = (options.start ?? realNow()) - realNow();
    this.realPauseMs = options.realPauseMs ?? 0;
    this.functionsReadIt = options.functionsReadIt ?? false;
    this.now = () => realNow() + this.offset;
  }

  /** Total virtual time skipped so far (ms): what the stand-in did not wait for real. */
  get skippedMs(): number {
    return this.offset;
  }

  /**
   * Runs a function's code; with `functionsReadIt`, `Date.now()` reads this clock meanwhile.
   */
  async asFunctionTime<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.functionsReadIt) return fn();
    if (this.dateNowReaders++ === 0) Date.now = this.now;
    try {
      return await fn();
    } finally {
      if (--this.dateNowReaders === 0) Date.now = realNow;
    }
  }

  /**
   * Waits `ms` of virtual time. Rejects with the signal's reason when `signal` aborts first (the
   * wait is then forgotten and never makes the clock jump).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let realTimer: NodeJS.Timeout | undefined;
      const done = () => {
        this.sleepers.delete(sleeper);
        if (realTimer) clearTimeout(realTimer);
        signal?.removeEventListener('abort', onAbort);
      };
      const sleeper: Sleeper = {
        wakeAt: this.now() + ms,
        eligibleAt: realNow() + Math.min(ms, this.realPauseMs),
        seq: ++this.seq,
        wake: () => {
          done();
          resolve();
        },
      };
      const onAbort = () => {
        done();
        reject(signal!.reason);
        this.scheduleCheck();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      // Real time may get there first, while something works.
      realTimer = setTimeout(() => this.wakeDue(), ms);
      realTimer.unref?.();
      this.scheduleCheck();
    });
  }

  /** Runs `work` as working time: the clock does not jump while any such work runs. */
  async busy<T>(work: () => Promise<T>): Promise<T> {
    this.busyCount++;
    try {
      return await work();
    } finally {
      if (--this.busyCount === 0) this.scheduleCheck();
    }
  }

  /** Wakes every wait whose moment has come, earliest first; tells whether it woke any. */
  private wakeDue(): boolean {
    const now = this.now();
    const due = [...this.sleepers].filter((s) => s.wakeAt <= now).sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
    for (const s of due) s.wake();
    if (due.length > 0) this.scheduleCheck();
    return due.length > 0;
  }

  /**
   * After the current turn of the event loop (so code just woken can mark itself busy), jumps to
   * the earliest wake-up if nothing works.
   */
  private scheduleCheck(): void {
    if (this.checkTimer) return;
    const earliest = this.earliest();
    const delay = earliest ? Math.max(0, earliest.eligibleAt - realNow()) : 0;
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      this.check();
    }, delay);
    this.checkTimer.unref?.();
  }

  private check(): void {
    // Code just woken has not run yet (it resumes after this turn): no jump before it has had
    // the chance to start working.
    if (this.wakeDue()) return;
    const earliest = this.earliest();
    if (!earliest || this.busyCount > 0) return;
    if (earliest.eligibleAt > realNow()) {
      this.scheduleCheck();
      return;
    }
    const now = this.now();
    if (earliest.wakeAt > now) this.offset += earliest.wakeAt - now;
    this.wakeDue();
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) if (!best || s.wakeAt < best.wakeAt || (s.wakeAt === best.wakeAt && s.seq < best.seq)) best = s;
    return best;
  }
}
