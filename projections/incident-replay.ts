import type { IncidentEvent, Recorded } from '../events/index.js';
import { analyseFact } from './fact-analysis.js';
import { recordedAtMs } from './fold.js';
import { ModelDraft, initialIncidentModel, type AssertionState, type FactState, type IncidentModel } from './incident-model.js';
import { ValueHistory, VersionIndex } from './version-index.js';

export type OfferResult = 'applied' | 'duplicate' | 'gap';

type Details = Pick<IncidentModel, 'id' | 'title' | 'summary' | 'openedAt'>;

/**
 * One incident stream held in memory, able to give its model at any revision without refolding.
 * Events are folded once, forwards; every version of every assertion and fact record the fold
 * produces is indexed by revision. The model "as of" revision r reads each record's last version
 * at or before r — the same records the fold had at r, so it equals `fold(upTo(events, asOf))`,
 * and per-record memos (the fact analysis) carry over between instants. Costs memory in
 * proportion to the events, like holding the events themselves.
 */
export class IncidentReplay {
  private readonly times: number[] = [];
  private readonly recordedAt: string[] = [];
  private readonly counts: number[] = [];
  private readonly draft = new ModelDraft();
  private latest: IncidentModel = initialIncidentModel;
  private readonly assertions = new VersionIndex<AssertionState>();
  private readonly facts = new VersionIndex<FactState>();
  private readonly details = new ValueHistory<Details>();
  /** While recordedAt never decreases, "up to asOf" is a binary search. */
  private monotonic = true;

  /** Revision of the last event held; -1 when empty. */
  get revision(): number {
    return this.times.length - 1;
  }

  /** Folds in the next event of the stream. Idempotent by revision; an event past the next one is a gap and is refused. */
  offer(event: Recorded<IncidentEvent>): OfferResult {
    if (event.revision <= this.revision) return 'duplicate';
    if (event.revision !== this.revision + 1) return 'gap';
    const at = recordedAtMs(event);
    if (this.times.length > 0 && at < this.times[this.times.length - 1]!) this.monotonic = false;
    this.fold(event);
    this.times.push(at);
    this.recordedAt.push(event.metadata.recordedAt);
    this.counts.push(this.draft.assertionCount);
    return 'applied';
  }

  /**
   * The revision "as of" an instant: the last event before the first one recorded after it,
   * exactly as `upTo` stops a fold. -1 when nothing had been recorded yet. No instant: the latest.
   */
  revisionAt(asOf?: Date): number {
    if (asOf === undefined) return this.revision;
    const limit = asOf.getTime();
    if (!this.monotonic) {
      const first = this.times.findIndex((t) => t > limit);
      return first === -1 ? this.revision : first - 1;
    }
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= limit) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The model after the event at `revision` (default: the latest). */
  modelAt(revision: number = this.revision): IncidentModel {
    if (revision >= this.revision) {
      if (this.latest.revision !== this.revision) this.latest = this.draft.freeze();
      return this.latest;
    }
    if (revision < 0) return initialIncidentModel;
    return {
      ...this.details.at(revision),
      revision,
      updatedAt: this.recordedAt[revision]!,
      assertionCount: this.counts[revision]!,
      assertions: this.assertions.asMapAt(revision),
      facts: this.facts.asMapAt(revision),
    };
  }

  /** Applies the event and indexes the records it produced. */
  private fold(event: Recorded<IncidentEvent>): void {
    const revision = event.revision;
    const touchedFacts = new Set<string>();
    let assertionId: string | undefined;
    switch (event.type) {
      case 'IncidentOpened':
      case 'IncidentDetailsRevised':
        this.draft.apply(event);
        this.details.record(revision, this.draft.details());
        return;
      case 'FactAssessed':
        touchedFacts.add(event.data.fact);
        break;
      default: {
        assertionId = event.data.assertionId;
        // A correction may move the assertion: both the fact it leaves and the one it joins change.
        const before = this.draft.assertion(assertionId)?.fact;
        if (before !== undefined) touchedFacts.add(before);
      }
    }
    this.draft.apply(event);
    if (assertionId !== undefined) {
      const after = this.draft.assertion(assertionId);
      if (after) {
        this.assertions.record(assertionId, revision, after);
        touchedFacts.add(after.fact);
      }
    }
    for (const key of touchedFacts) {
      const fact = this.draft.fact(key);
      if (!fact) continue;
      this.facts.record(key, revision, fact);
      // Analysed now, while the draft holds exactly this version's assertions: a read at any
      // instant then finds every fact's analysis memoised instead of paying for it.
      analyseFact(this.draft, fact);
    }
  }
}
