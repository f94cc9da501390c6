import type { BudgetState, CursorMove, Write } from './state.ts';

/** What a write came to: applied, or refused by its condition; either way the state it met or made. */
export interface WriteResult {
  ok: boolean;
  state: BudgetState | undefined;
}

/** Where the budget's state is kept: one DynamoDB item for the deployment, or a container's memory. */
export interface BudgetStore {
  readonly shared: boolean;
  read(): Promise<BudgetState | undefined>;
  write(write: Write): Promise<WriteResult>;
}

const fits = (move: CursorMove, value: number) =>
  move.mode === 'add' ? value >= move.min && (move.max === undefined || value <= move.max) : value < move.below;

/**
 * The same conditions and updates as the DynamoDB store, applied to a state in memory: the budget of
 * `THULIUM_BUDGET=container`, of a container that cannot reach the shared one, and of unit tests.
 */
export function applyWrite(current: BudgetState | undefined, write: Write): WriteResult {
  if (write.kind === 'create') return current ? { ok: false, state: current } : { ok: true, state: write.state };
  if (!current || current.epoch !== write.expectEpoch) return { ok: false, state: current };
  if (write.kind === 'replace') {
    // The counters move by leases alone: a state planned a moment ago would hand their tickets out again.
    const { line, httpLine, recent, holders } = current;
    return { ok: true, state: { ...write.state, line, httpLine, recent, holders } };
  }
  if (!write.moves.every((move) => fits(move, current[move.field]))) return { ok: false, state: current };
  const next = { ...current, recent: { ...current.recent }, holders: { ...current.holders } };
  for (const move of write.moves) next[move.field] = move.mode === 'add' ? current[move.field] + move.by : move.to;
  for (const id of write.prune.holders) delete next.holders[id];
  for (const second of write.prune.seconds) delete next.recent[second];
  next.recent[write.second] = (next.recent[write.second] ?? 0) + write.calls;
  next.holders[write.holder.id] = write.holder.until;
  return { ok: true, state: next };
}

export function memoryStore(initial?: BudgetState): BudgetStore & { state: BudgetState | undefined } {
  const store = {
    shared: false,
    state: initial,
    read: async () => store.state,
    async write(write: Write) {
      const result = applyWrite(store.state, write);
      store.state = result.state;
      return result;
    },
  };
  return store;
}
