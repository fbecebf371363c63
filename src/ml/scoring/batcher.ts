/**
 * The micro-batcher of one loaded model: callers add feature rows one at a
 * time, and the batcher runs them through the model together — when a batch
 * is full, or once the task that added its first row is over (`flushMs`
 * 0), or `flushMs` after that row — because one onnxruntime run of a
 * thousand rows costs about as much as a handful of single ones.
 *
 * Why at the end of the task: a shard worker handles what its port brings
 * in one task (a drain pass of up to its turn budget), so every row that
 * pass adds is already in the batch when it ends, and nothing else would
 * join it by waiting. A timer only delayed every batch of a light load
 * (a 1 ms setTimeout fires on a later loop iteration, often 1-2 ms on).
 *
 * Rows are copied into preallocated Float32Array batches (the model's input
 * type), so adding a row allocates nothing. Every batch that is ready is
 * handed to the model at once, in the order they filled, and each row's
 * result goes back to the sink it came with, in the order the rows were
 * added, whatever order the runs settle in.
 *
 * Why at once: onnxruntime-node starts each run on a later turn of the event
 * loop (setImmediate). Chaining runs, each started when the one before
 * settled, scored one batch per model per turn — and a shard worker's turn
 * can carry tens of thousands of readings from its port, so under load the
 * rows piled up to `maxQueuedRows` while the readings behind them waited
 * (seconds, measured), or went to the rules as `overloaded`.
 *
 * Small batches (`small`): under a paced load a drain pass adds a handful
 * of rows per model, and a run that small costs onnxruntime's fixed ~10–30 µs
 * for almost nothing; a model that can score them on this thread for less
 * does so as the batch flushes, with no run and no event-loop hop.
 */

/** Where a row's result goes: the sink handed in with the row, with its tag. */
export interface ScoreSink<M = unknown> {
  /** `out[at .. at + width)` is the row's output; valid only during the call. */
  scored(tag: number, out: Float32Array, at: number, model: M): void;
  /** The run that held the row failed: the row has no score. */
  failed(tag: number, model: M, error: Error): void;
}

/** Runs `rows` rows of `input` (rows × width) through the model; resolves with rows × outputWidth values. */
export type BatchRun = (input: Float32Array, rows: number) => Promise<Float32Array>;

/**
 * Scores a run of fewer than `rows` rows at once, on the calling thread
 * (returns rows × outputWidth values), instead of handing it to `run`.
 */
export interface SmallRun {
  readonly rows: number;
  readonly run: (input: Float32Array, rows: number) => Float32Array;
}

export interface BatcherOptions<M> {
  readonly width: number;
  readonly outputWidth: number;
  /** Rows per batch at most. */
  readonly maxRows: number;
  /** A batch that is not full runs this long after its first row; 0: as soon as the task that added it ends (a microtask). */
  readonly flushMs: number;
  /** Rows waiting (queued and filling) at most; beyond, `add` refuses. */
  readonly maxQueuedRows: number;
  readonly run: BatchRun;
  /** How runs too small to be worth `run`'s fixed cost are scored, if the model has such a way. */
  readonly small?: SmallRun;
  /** Handed to the sinks with every result, so they know what scored them. */
  readonly model: M;
}

interface Batch<M> {
  readonly input: Float32Array;
  readonly sinks: (ScoreSink<M> | undefined)[];
  readonly tags: Float64Array;
  rows: number;
  /** Set when its run has settled: its output, or why there is none. */
  settled: boolean;
  out: Float32Array | undefined;
  error: Error | undefined;
}

export class MicroBatcher<M> {
  private readonly o: BatcherOptions<M>;
  private filling: Batch<M>;
  /** Handed to the model, in the order they filled; settled ones leave from the head only. */
  private readonly running: Batch<M>[] = [];
  private readonly spare: Batch<M>[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A microtask flush is queued (flushMs 0). */
  private armed = false;
  private queuedRows = 0;
  private idleWaiters: (() => void)[] = [];
  /** Rows scored and batches run since start. */
  rowsScored = 0;
  batchesRun = 0;
  /** Of batchesRun, those scored by `small`. */
  smallRuns = 0;

  constructor(options: BatcherOptions<M>) {
    this.o = options;
    this.filling = this.newBatch();
  }

  /** Rows added and not yet handed back. */
  get pending(): number {
    return this.queuedRows;
  }

  /**
   * Adds one row: `src[map[i]]` for each model column i (src itself when map
   * is null). False, and nothing added, when `maxQueuedRows` are already waiting.
   */
  add(src: Float64Array, map: Int32Array | null, sink: ScoreSink<M>, tag: number): boolean {
    if (this.queuedRows >= this.o.maxQueuedRows) return false;
    const b = this.filling;
    const width = this.o.width;
    const at = b.rows * width;
    const input = b.input;
    if (map === null) for (let i = 0; i < width; i++) input[at + i] = src[i] as number;
    else for (let i = 0; i < width; i++) input[at + i] = src[map[i] as number] as number;
    b.sinks[b.rows] = sink;
    b.tags[b.rows] = tag;
    b.rows++;
    this.queuedRows++;
    // Never scored here, even if small: a sink called back from inside its own `add` would see its row answered before it is counted as waiting.
    if (b.rows === this.o.maxRows) this.dispatch(false);
    else if (b.rows === 1) this.arm();
    return true;
  }

  /** Runs what is filling now, without waiting for the timer. */
  flush(): void {
    this.dispatch(true);
  }

  private dispatch(scoreSmallNow: boolean): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const b = this.filling;
    if (b.rows === 0) return;
    this.filling = this.spare.pop() ?? this.newBatch();
    if (scoreSmallNow && this.scoreSmall(b)) return;
    this.start(b);
  }

  /** A batch below the small run size, scored at once; false (left to `run`) when it is not small, or `small` throws. */
  private scoreSmall(b: Batch<M>): boolean {
    const small = this.o.small;
    if (small === undefined || b.rows >= small.rows) return false;
    let out: Float32Array;
    try {
      out = small.run(b.input, b.rows);
    } catch {
      return false;
    }
    b.settled = false;
    this.running.push(b);
    this.smallRuns++;
    this.settled(b, out, undefined);
    return true;
  }

  /** Resolves once every row added so far has been handed back. */
  idle(): Promise<void> {
    this.flush();
    if (this.queuedRows === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readonly flushBound = (): void => {
    this.timer = undefined;
    this.armed = false;
    this.flush();
  };

  private arm(): void {
    if (this.o.flushMs > 0) this.timer = setTimeout(this.flushBound, this.o.flushMs);
    else if (!this.armed) {
      this.armed = true;
      queueMicrotask(this.flushBound);
    }
  }

  private start(b: Batch<M>): void {
    b.settled = false;
    this.running.push(b);
    let run: Promise<Float32Array>;
    try {
      run = this.o.run(b.input, b.rows);
    } catch (err) {
      run = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    run.then(
      (out) => this.settled(b, out, undefined),
      (err: unknown) => this.settled(b, undefined, err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** A run settled: hand back every settled batch at the head, so results go out in the order rows came in. */
  private settled(b: Batch<M>, out: Float32Array | undefined, error: Error | undefined): void {
    b.settled = true;
    b.out = out;
    b.error = error;
    for (let head = this.running[0]; head !== undefined && head.settled; head = this.running[0]) {
      this.running.shift();
      const { out: o, error: e } = head;
      head.out = undefined;
      head.error = undefined;
      this.finish(head, o, e);
    }
  }

  private finish(b: Batch<M>, out: Float32Array | undefined, error: Error | undefined): void {
    const { outputWidth, model } = this.o;
    if (out !== undefined && out.length < b.rows * outputWidth) {
      error = new Error(`the model returned ${out.length} values for ${b.rows} rows × ${outputWidth}`);
      out = undefined;
    }
    for (let r = 0; r < b.rows; r++) {
      const sink = b.sinks[r] as ScoreSink<M>;
      b.sinks[r] = undefined;
      // One sink's failure must not cost the other rows their results.
      try {
        if (out !== undefined) sink.scored(b.tags[r] as number, out, r * outputWidth, model);
        else sink.failed(b.tags[r] as number, model, error as Error);
      } catch {
        // the sink's own bug; the batcher has nothing to add
      }
    }
    if (out !== undefined) this.rowsScored += b.rows;
    this.batchesRun++;
    this.queuedRows -= b.rows;
    b.rows = 0;
    this.spare.push(b);
    if (this.queuedRows === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private newBatch(): Batch<M> {
    const { width, maxRows } = this.o;
    return { input: new Float32Array(width * maxRows), sinks: new Array<ScoreSink<M> | undefined>(maxRows).fill(undefined), tags: new Float64Array(maxRows), rows: 0, settled: false, out: undefined, error: undefined };
  }
}
