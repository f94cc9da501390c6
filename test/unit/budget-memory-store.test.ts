import { describe, expect, it } from 'vitest';
import { applyWrite, memoryStore } from '../../functions/outbound-status/adapters/budget/memory-store.ts';
import {
  type BudgetState,
  type CursorMove,
  initialState,
  type Write,
} from '../../functions/outbound-status/adapters/budget/state.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const SECOND = NOW / 1000;
/** Where the line stands: a ticket number. */
const L = 1_000;
const current: BudgetState = {
  ...initialState(NOW - 10_000),
  epoch: 5,
  line: L,
  httpLine: L - 50,
  recent: { [SECOND - 3]: 4, [SECOND]: 2 },
  holders: { b: NOW + 5_000, old: NOW - 70_000 },
};
type Lease = Extract<Write, { kind: 'lease' }>;
const lease = (over: Partial<Lease> = {}): Lease => ({
  kind: 'lease',
  expectEpoch: 5,
  moves: [],
  calls: 1,
  second: SECOND,
  holder: { id: 'a', until: NOW + 10_000 },
  prune: { holders: [], seconds: [] },
  ...over,
});

describe('applyWrite', () => {
  it('creates only a missing item', () => {
    const made = { ...initialState(NOW), epoch: 1 };
    expect(applyWrite(undefined, { kind: 'create', state: made })).toEqual({ ok: true, state: made });
    expect(applyWrite(current, { kind: 'create', state: made })).toEqual({ ok: false, state: current });
  });

  it.each([
    { case: 'a replace', write: { kind: 'replace', expectEpoch: 4, state: { ...current, epoch: 6 } } },
    { case: 'a lease', write: lease({ expectEpoch: 6 }) },
  ] as const)('refuses $case against another epoch, or no item, and returns what it met', ({ write }) => {
    expect(applyWrite(current, write)).toEqual({ ok: false, state: current });
    expect(applyWrite(undefined, write)).toEqual({ ok: false, state: undefined });
  });

  it('replaces all but the counts: the calls and holders stay as the item has them', () => {
    const next = { ...current, epoch: 6, pausedUntil: NOW + 1_000, recent: {}, holders: { x: 1 } };
    const result = applyWrite(current, { kind: 'replace', expectEpoch: 5, state: next, lowered: true });
    expect(result).toEqual({ ok: true, state: { ...next, recent: current.recent, holders: current.holders } });
  });

  it.each<[string, CursorMove[], boolean, Partial<BudgetState>]>([
    ['add at the floor', [{ field: 'line', mode: 'add', by: 100, min: L }], true, { line: L + 100 }],
    ['add above the floor', [{ field: 'line', mode: 'add', by: 100, min: L + 1 }], false, {}],
    ['add at the max', [{ field: 'line', mode: 'add', by: 300, min: L - 800, max: L }], true, { line: L + 300 }],
    ['add beyond the max', [{ field: 'line', mode: 'add', by: 300, min: L - 800, max: L - 1 }], false, {}],
    ['set while it lags', [{ field: 'line', mode: 'set', to: L + 700, below: L + 1 }], true, { line: L + 700 }],
    ['set when it no longer lags', [{ field: 'line', mode: 'set', to: L + 700, below: L }], false, {}],
    [
      'two moves, both fit',
      [
        { field: 'httpLine', mode: 'add', by: 100, min: L - 200, max: L },
        { field: 'line', mode: 'set', to: L + 100, below: L + 5 },
      ],
      true,
      { httpLine: L + 50, line: L + 100 },
    ],
    [
      'two moves, one does not fit: neither is made',
      [
        { field: 'httpLine', mode: 'add', by: 100, min: L - 200, max: L },
        { field: 'line', mode: 'set', to: L + 100, below: L },
      ],
      false,
      {},
    ],
  ])('a lease: %s', (_, moves, ok, changed) => {
    const result = applyWrite(current, lease({ moves, calls: 3 }));
    expect(result.ok).toBe(ok);
    if (!ok) return expect(result.state).toBe(current);
    expect(result.state).toEqual({
      ...current,
      ...changed,
      recent: { ...current.recent, [SECOND]: 5 },
      holders: { ...current.holders, a: NOW + 10_000 },
    });
  });

  it('a lease counts its calls in its second, notes its holder, and prunes what it was told to', () => {
    const write = lease({
      calls: 4,
      second: SECOND + 1,
      holder: { id: 'b', until: NOW + 11_000 },
      prune: { holders: ['old', 'gone'], seconds: [String(SECOND - 3)] },
    });
    const result = applyWrite(current, write);
    expect(result.state).toEqual({
      ...current,
      recent: { [SECOND]: 2, [SECOND + 1]: 4 },
      holders: { b: NOW + 11_000 },
    });
    // The state it was given is left as it was.
    expect(current.holders).toEqual({ b: NOW + 5_000, old: NOW - 70_000 });
  });
});

describe('memoryStore', () => {
  it('keeps what its writes made, and what a refused one met', async () => {
    const store = memoryStore();
    expect(store.shared).toBe(false);
    expect(await store.read()).toBeUndefined();
    expect(await store.write(lease())).toEqual({ ok: false, state: undefined });
    await store.write({ kind: 'create', state: current });
    expect(await store.write(lease({ expectEpoch: 4 }))).toEqual({ ok: false, state: current });
    const { ok, state } = await store.write(lease({ calls: 2 }));
    expect(ok).toBe(true);
    expect(await store.read()).toBe(state);
    expect(state?.recent[SECOND]).toBe(4);
  });
});
