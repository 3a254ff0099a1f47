import { analyseFact, analyseFacts, type FactAnalysis } from './fact-analysis.js';
import type { FactState, IncidentModel, ModelMemo } from './incident-model.js';
import { patchSorted } from './sorted-patch.js';
import type { SourceNames } from './view-context.js';

/**
 * A view made of one item per live fact (a timeline entry, a dispute), derived the same way for
 * both: an item belongs to one fact analysis, so it is remembered per analysis and holds at every
 * revision sharing the fact record; a model's list is remembered on the model; and the list of a
 * model laid over a snapshot is the snapshot's, with the items of the facts whose records differ
 * put in their place. An item naming a source the directory does not know yet is not remembered
 * (nor any list holding it), so it gets the name once the source is registered.
 */
export interface FactList<T> {
  /** The fact's item, undefined when the fact has none; `fixed` when every source name was known. */
  item(f: FactAnalysis, sources: SourceNames): { item: T | undefined; fixed: boolean };
  factOf(item: T): string;
  /** The list's order: a total order, ties broken by fact key. */
  compare(a: T, b: T): number;
  /** Items remembered per analysis (null: the fact has none). */
  readonly remembered: WeakMap<FactAnalysis, T | null>;
  /** The list remembered on a model. */
  read(memo: ModelMemo): readonly T[] | undefined;
  write(memo: ModelMemo, items: readonly T[]): void;
}

interface Built<T> {
  items: T[];
  /** Every source name was known: the list may be remembered. */
  fixed: boolean;
}

export function factList<T>(list: FactList<T>, model: IncidentModel, sources: SourceNames): readonly T[] {
  const known = list.read(model.memo);
  if (known) return known;
  const built = model.overlay ? patched(list, model, model.overlay.base, model.overlay.facts, sources) : whole(list, model, sources);
  if (built.fixed) list.write(model.memo, built.items);
  return built.items;
}

function whole<T>(list: FactList<T>, model: IncidentModel, sources: SourceNames): Built<T> {
  const items: T[] = [];
  let fixed = true;
  for (const f of analyseFacts(model)) {
    let hit = list.remembered.get(f);
    if (hit === undefined) {
      const built = list.item(f, sources);
      hit = built.item ?? null;
      if (built.fixed) list.remembered.set(f, hit);
      else fixed = false;
    }
    if (hit) items.push(hit);
  }
  return { items: items.sort((a, b) => list.compare(a, b)), fixed };
}

/** The snapshot's items, less those of the changed facts, merged with theirs (not remembered: those records are this model's alone). */
function patched<T>(list: FactList<T>, model: IncidentModel, base: IncidentModel, changed: ReadonlyMap<string, FactState>, sources: SourceNames): Built<T> {
  const kept = factList(list, base, sources);
  let fixed = list.read(base.memo) !== undefined;
  const fresh: T[] = [];
  changed.forEach((fact) => {
    const analysis = analyseFact(model, fact);
    if (!analysis) return;
    const built = list.item(analysis, sources);
    if (!built.fixed) fixed = false;
    if (built.item) fresh.push(built.item);
  });
  return { items: patchSorted(kept, (item) => changed.has(list.factOf(item)), fresh, (a, b) => list.compare(a, b)), fixed };
}
