// events/catalogue.ts
import { z as z6 } from "zod";

// events/incident-events.ts
import { z as z3 } from "zod";

// events/ids.ts
import { z } from "zod";
var Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "a ULID (26 Crockford base32 characters)");
var incidentStream = (id2) => `incident-${id2}`;
var sourceStream = (id2) => `source-${id2}`;

// events/values.ts
import edtf from "edtf";
import { z as z2 } from "zod";
var FactKey = z2.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'a fact key is lowercase letters, digits, ".", "_" or "-", at most 128 characters');
var EdtfString = z2.string().min(1).max(100).refine((s) => parseEdtfInterval(s) !== void 0, { message: "not a valid EDTF date or interval" });
function parseEdtfInterval(value) {
  try {
    const parsed = edtf(value);
    const min = typeof parsed.min === "number" && Number.isFinite(parsed.min) ? parsed.min : -Infinity;
    const max = typeof parsed.max === "number" && Number.isFinite(parsed.max) ? parsed.max : Infinity;
    if (min > max) return void 0;
    return { min, max };
  } catch {
    return void 0;
  }
}
var finite = z2.number().refine(Number.isFinite, { message: "must be a finite number" });
var QuantityValue = z2.strictObject({
  type: z2.literal("quantity"),
  value: finite.optional(),
  min: finite.optional(),
  max: finite.optional(),
  approximate: z2.boolean().optional(),
  unit: z2.string().min(1).max(64).optional(),
  text: z2.string().min(1).max(500).optional()
}).refine((q) => q.value !== void 0 || q.min !== void 0 || q.max !== void 0, {
  message: "a quantity needs value, min or max"
}).refine((q) => q.min === void 0 || q.max === void 0 || q.min <= q.max, {
  message: "min must not exceed max",
  path: ["min"]
});
var BooleanValue = z2.strictObject({ type: z2.literal("boolean"), value: z2.boolean() });
var TextValue = z2.strictObject({ type: z2.literal("text"), value: z2.string().min(1).max(1e4) });
var DateValue = z2.strictObject({ type: z2.literal("date"), value: EdtfString });
var Value = z2.discriminatedUnion("type", [QuantityValue, BooleanValue, TextValue, DateValue]);
var LanguageTag = z2.string().regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'a BCP 47 language tag such as "en" or "fr-BE"');
var HttpUrl = z2.string().max(2048).url().refine((u) => /^https?:\/\//i.test(u), { message: "must be an http(s) URL" });
var Citation = z2.strictObject({
  url: HttpUrl.optional(),
  title: z2.string().min(1).max(500).optional(),
  publishedAt: EdtfString.optional(),
  language: LanguageTag.optional()
});
var Quote = z2.string().min(1).max(1e4);

// events/incident-events.ts
var Title = z3.string().trim().min(1).max(300);
var Summary = z3.string().max(5e3);
var Reason = z3.string().trim().min(1).max(2e3);
var IncidentOpened = z3.strictObject({
  incidentId: Ulid,
  title: Title,
  summary: Summary.optional()
});
var IncidentDetailsRevised = z3.strictObject({
  incidentId: Ulid,
  title: Title.optional(),
  summary: Summary.optional(),
  reason: Reason.optional()
});
var AssertionRecorded = z3.strictObject({
  assertionId: Ulid,
  fact: FactKey,
  value: Value,
  validTime: EdtfString.optional(),
  sourceId: Ulid,
  citation: Citation.optional(),
  quote: Quote.optional()
});
var AssertionCorrected = z3.strictObject({
  assertionId: Ulid,
  reason: Reason,
  value: Value.optional(),
  validTime: EdtfString.optional(),
  fact: FactKey.optional(),
  quote: Quote.optional(),
  citation: Citation.optional()
});
var AssertionRetracted = z3.strictObject({
  assertionId: Ulid,
  reason: Reason
});
var FactAssessed = z3.strictObject({
  fact: FactKey,
  preferred: z3.array(Ulid).min(1).max(100),
  rationale: Reason
});

// events/metadata.ts
import { z as z4 } from "zod";
var Sha256Hex = z4.string().regex(/^[0-9a-f]{64}$/, "lowercase hex SHA-256");
var EventMetadataInput = z4.strictObject({
  eventId: Ulid,
  recordedAt: z4.iso.datetime(),
  actor: z4.string().min(1).max(200),
  correlationId: z4.string().min(1).max(200),
  causationId: z4.string().min(1).max(200),
  schemaVersion: z4.number().int().positive()
});
var EventMetadata = EventMetadataInput.extend({
  prevHash: Sha256Hex,
  hash: Sha256Hex
});
var ZERO_HASH = "0".repeat(64);

// events/source-events.ts
import { z as z5 } from "zod";
var SourceRegistered = z5.strictObject({
  sourceId: Ulid,
  name: z5.string().trim().min(1).max(300),
  /** Free text by design ("agency", "company", "newspaper", "person", …): the world has more kinds than we can list. */
  kind: z5.string().trim().min(1).max(64),
  url: HttpUrl.optional(),
  language: LanguageTag.optional()
});

// events/catalogue.ts
var event = (type, data) => z6.strictObject({ type: z6.literal(type), data });
var IncidentEvent = z6.discriminatedUnion("type", [
  event("IncidentOpened", IncidentOpened),
  event("IncidentDetailsRevised", IncidentDetailsRevised),
  event("AssertionRecorded", AssertionRecorded),
  event("AssertionCorrected", AssertionCorrected),
  event("AssertionRetracted", AssertionRetracted),
  event("FactAssessed", FactAssessed)
]);
var SourceEvent = z6.discriminatedUnion("type", [event("SourceRegistered", SourceRegistered)]);
var LedgerEvent = z6.discriminatedUnion("type", [...IncidentEvent.options, ...SourceEvent.options]);
var EVENT_TYPES = LedgerEvent.options.map((o) => o.shape.type.value);
var CURRENT_SCHEMA_VERSION = {
  IncidentOpened: 1,
  IncidentDetailsRevised: 1,
  AssertionRecorded: 1,
  AssertionCorrected: 1,
  AssertionRetracted: 1,
  FactAssessed: 1,
  SourceRegistered: 1
};
var StoredEvent = z6.object({
  stream: z6.string(),
  revision: z6.number().int().nonnegative(),
  position: z6.number().int().nonnegative(),
  type: z6.string(),
  data: z6.unknown(),
  metadata: EventMetadata
});

// events/upcasters.ts
var UPCASTERS = {};
var UnknownEventError = class extends Error {
  constructor(stored, detail) {
    super(`${stored.stream}@${stored.revision} (${stored.type}): ${detail}`);
    this.stored = stored;
    this.name = "UnknownEventError";
  }
  stored;
};
function upcast(stored) {
  const type = stored.type;
  const target = CURRENT_SCHEMA_VERSION[type];
  if (target === void 0) throw new UnknownEventError(stored, "unknown event type");
  if (stored.metadata.schemaVersion === target) return stored;
  let data = stored.data;
  for (let v = stored.metadata.schemaVersion; v < target; v++) {
    const step = UPCASTERS[type]?.[v];
    if (!step) throw new UnknownEventError(stored, `no upcaster from version ${v}`);
    data = step(data);
  }
  const parsed = LedgerEvent.safeParse({ type, data });
  if (!parsed.success) throw new UnknownEventError(stored, parsed.error.message);
  return { ...stored, ...parsed.data };
}

// projections/edtf-intervals.ts
var MAX_ENTRIES = 2e4;
var cache = /* @__PURE__ */ new Map();
function edtfInterval(text) {
  let hit = cache.get(text);
  if (hit === void 0) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    hit = parseEdtfInterval(text) ?? null;
    cache.set(text, hit);
  }
  return hit ?? void 0;
}

// projections/text.ts
var foldText = (text) => text.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC").replace(/\s+/gu, " ").trim();

// projections/compatibility.ts
var overlaps = (a, b) => a.lo <= b.hi && b.lo <= a.hi;
function quantityInterval(q) {
  const bounds = { lo: q.min ?? -Infinity, hi: q.max ?? Infinity };
  if (q.value === void 0) return bounds;
  const spread = q.approximate ? Math.abs(q.value) * 0.1 : 0;
  const lo = Math.max(q.value - spread, bounds.lo);
  const hi = Math.min(q.value + spread, bounds.hi);
  return lo <= hi ? { lo, hi } : bounds;
}
var sameUnit = (a, b) => a.unit === b.unit;
function edtfOverlap(a, b) {
  const x = edtfInterval(a);
  const y = edtfInterval(b);
  if (!x || !y) return false;
  return overlaps({ lo: x.min, hi: x.max }, { lo: y.min, hi: y.max });
}
function compatible(a, b) {
  switch (a.type) {
    case "quantity": {
      if (b.type !== "quantity" || !sameUnit(a, b)) return false;
      return overlaps(quantityInterval(a), quantityInterval(b));
    }
    case "boolean":
      return b.type === "boolean" && a.value === b.value;
    case "text":
      return b.type === "text" && foldText(a.value) === foldText(b.value);
    case "date":
      return b.type === "date" && edtfOverlap(a.value, b.value);
  }
}

// projections/fact-analysis.ts
function currentAssertions(model, fact) {
  const latestBySource = /* @__PURE__ */ new Map();
  for (let node = fact.assertionIds; node; node = node.tail) {
    const assertion = model.assertions.get(node.head);
    if (!assertion || assertion.retracted) continue;
    const seen = latestBySource.get(assertion.sourceId);
    if (!seen || seen.recordedRevision < assertion.recordedRevision) latestBySource.set(assertion.sourceId, assertion);
  }
  return [...latestBySource.values()].sort((a, b) => a.recordedRevision - b.recordedRevision);
}
function analyseFact(model, fact) {
  if (fact.memo.analysis === void 0) fact.memo.analysis = analyse(model, fact) ?? null;
  return fact.memo.analysis ?? void 0;
}
function analyse(model, fact) {
  const current = currentAssertions(model, fact);
  if (current.length === 0) return void 0;
  const conflicts = [];
  for (let i = 0; i < current.length; i++) {
    for (let j = i + 1; j < current.length; j++) {
      const a = current[i];
      const b = current[j];
      if (!compatible(a.value, b.value)) conflicts.push([a.id, b.id]);
    }
  }
  const status = conflicts.length > 0 ? fact.assessment ? "assessed" : "disputed" : current.length === 1 ? "single-source" : "corroborated";
  return { fact: fact.key, status, current, conflicts, ...fact.assessment ? { assessment: fact.assessment } : {} };
}

// projections/fold.ts
var recordedAtMs = (event2) => Date.parse(event2.metadata.recordedAt);

// projections/persistent-list.ts
var prepend = (list, head) => ({ head, tail: list });
function* newestFirst(list) {
  for (let node = list; node; node = node.tail) yield node.head;
}
var oldestFirst = (list) => [...newestFirst(list)].reverse();
var without = (list, drop) => oldestFirst(list).reduce((acc, item) => drop(item) ? acc : prepend(acc, item), void 0);

// projections/persistent-map.ts
var BITS = 6;
var WIDTH = 1 << BITS;
var MASK = WIDTH - 1;
function hash(key) {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
var emptyRoot = () => new Array(WIDTH).fill(void 0);
var PersistentMap = class _PersistentMap {
  constructor(root, size) {
    this.root = root;
    this.size = size;
  }
  root;
  size;
  static EMPTY = new _PersistentMap(emptyRoot(), 0);
  static empty() {
    return _PersistentMap.EMPTY;
  }
  get(key) {
    const h = hash(key);
    return this.root[h & MASK]?.[h >>> BITS & MASK]?.get(key);
  }
  has(key) {
    const h = hash(key);
    return this.root[h & MASK]?.[h >>> BITS & MASK]?.has(key) ?? false;
  }
  /** A transient editor for many changes at once; its `freeze()` gives the new version. */
  edit() {
    return new MapEditor(this.root, this.size, (root, size) => new _PersistentMap(root, size));
  }
  *entries() {
    for (const branch of this.root) {
      if (!branch) continue;
      for (const leaf of branch) if (leaf) yield* leaf.entries();
    }
  }
  *keys() {
    for (const [key] of this.entries()) yield key;
  }
  *values() {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  forEach(callback) {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
};
var MapEditor = class {
  constructor(root, count, make) {
    this.count = count;
    this.make = make;
    this.root = root;
  }
  count;
  make;
  root;
  owned = /* @__PURE__ */ new Set();
  get size() {
    return this.count;
  }
  get(key) {
    const h = hash(key);
    return this.root[h & MASK]?.[h >>> BITS & MASK]?.get(key);
  }
  set(key, value) {
    const h = hash(key);
    const i = h & MASK;
    const j = h >>> BITS & MASK;
    if (!this.owned.has(this.root)) this.root = this.own([...this.root]);
    let branch = this.root[i];
    if (!branch || !this.owned.has(branch)) branch = this.root[i] = this.own(branch ? [...branch] : new Array(WIDTH).fill(void 0));
    let leaf = branch[j];
    if (!leaf || !this.owned.has(leaf)) leaf = branch[j] = this.own(new Map(leaf));
    if (!leaf.has(key)) this.count++;
    leaf.set(key, value);
  }
  freeze() {
    this.owned = /* @__PURE__ */ new Set();
    return this.make(this.root, this.count);
  }
  own(node) {
    this.owned.add(node);
    return node;
  }
};

// projections/incident-model.ts
var initialIncidentModel = Object.freeze({
  revision: -1,
  assertionCount: 0,
  assertions: PersistentMap.empty(),
  facts: PersistentMap.empty()
});
var CORRECTABLE = ["fact", "value", "validTime", "quote", "citation"];
var assertionState = (a) => ({
  id: a.id,
  fact: a.fact,
  value: a.value,
  validTime: a.validTime,
  sourceId: a.sourceId,
  citation: a.citation,
  quote: a.quote,
  recordedAt: a.recordedAt,
  recordedBy: a.recordedBy,
  recordedRevision: a.recordedRevision,
  corrected: a.corrected,
  retracted: a.retracted,
  history: a.history
});
var factState = (key, assertionIds, assessment, history) => ({
  key,
  assertionIds,
  assessment,
  history,
  memo: {}
});
var revisionEntry = (entry) => entry;
function updateFact(draft, key, change) {
  draft.facts.set(key, change(draft.facts.get(key) ?? factState(key, void 0, void 0, void 0)));
}
var logOnFact = (draft, key, entry) => updateFact(draft, key, (f) => factState(f.key, f.assertionIds, f.assessment, prepend(f.history, entry)));
function changes(current, data) {
  const before = {};
  const after = {};
  for (const field of CORRECTABLE) {
    if (data[field] === void 0) continue;
    before[field] = current[field] ?? null;
    after[field] = data[field];
  }
  return { before, after };
}
function recordedFields(d) {
  const after = { fact: d.fact, value: d.value, sourceId: d.sourceId };
  if (d.validTime !== void 0) after.validTime = d.validTime;
  if (d.citation !== void 0) after.citation = d.citation;
  if (d.quote !== void 0) after.quote = d.quote;
  return after;
}
function applyTo(draft, event2) {
  const { recordedAt, actor } = event2.metadata;
  const revision = event2.revision;
  draft.revision = revision;
  draft.updatedAt = recordedAt;
  switch (event2.type) {
    case "IncidentOpened":
      draft.id = event2.data.incidentId;
      draft.title = event2.data.title;
      draft.summary = event2.data.summary;
      draft.openedAt = recordedAt;
      return;
    case "IncidentDetailsRevised":
      if (event2.data.title !== void 0) draft.title = event2.data.title;
      if (event2.data.summary !== void 0) draft.summary = event2.data.summary;
      return;
    case "AssertionRecorded": {
      const d = event2.data;
      const entry = revisionEntry({
        revision,
        type: "AssertionRecorded",
        recordedAt,
        actor,
        assertionId: d.assertionId,
        after: recordedFields(d)
      });
      draft.assertions.set(
        d.assertionId,
        assertionState({
          id: d.assertionId,
          fact: d.fact,
          value: d.value,
          validTime: d.validTime,
          sourceId: d.sourceId,
          citation: d.citation,
          quote: d.quote,
          recordedAt,
          recordedBy: actor,
          recordedRevision: revision,
          corrected: false,
          retracted: void 0,
          history: prepend(void 0, entry)
        })
      );
      updateFact(draft, d.fact, (f) => factState(f.key, prepend(f.assertionIds, d.assertionId), f.assessment, prepend(f.history, entry)));
      draft.assertionCount++;
      return;
    }
    case "AssertionCorrected": {
      const d = event2.data;
      const current = draft.assertions.get(d.assertionId);
      if (!current) return;
      const { before, after } = changes(current, d);
      const entry = revisionEntry({ revision, type: "AssertionCorrected", recordedAt, actor, assertionId: current.id, reason: d.reason, before, after });
      const next = assertionState({
        ...current,
        fact: d.fact ?? current.fact,
        value: d.value ?? current.value,
        validTime: d.validTime ?? current.validTime,
        quote: d.quote ?? current.quote,
        citation: d.citation ?? current.citation,
        corrected: true,
        history: prepend(current.history, entry)
      });
      draft.assertions.set(current.id, next);
      if (next.fact !== current.fact) {
        updateFact(
          draft,
          current.fact,
          (f) => factState(f.key, without(f.assertionIds, (id2) => id2 === current.id), f.assessment, prepend(f.history, entry))
        );
        updateFact(draft, next.fact, (f) => factState(f.key, prepend(f.assertionIds, current.id), f.assessment, prepend(f.history, entry)));
      } else {
        logOnFact(draft, current.fact, entry);
      }
      return;
    }
    case "AssertionRetracted": {
      const current = draft.assertions.get(event2.data.assertionId);
      if (!current) return;
      if (!current.retracted) draft.assertionCount--;
      const reason = event2.data.reason;
      const entry = revisionEntry({ revision, type: "AssertionRetracted", recordedAt, actor, assertionId: current.id, reason });
      draft.assertions.set(
        current.id,
        assertionState({ ...current, retracted: { reason, at: recordedAt, actor, revision }, history: prepend(current.history, entry) })
      );
      logOnFact(draft, current.fact, entry);
      return;
    }
    case "FactAssessed": {
      const { fact: key, preferred, rationale } = event2.data;
      updateFact(draft, key, (f) => {
        const previous = f.assessment;
        const entry = revisionEntry({
          revision,
          type: "FactAssessed",
          recordedAt,
          actor,
          ...previous ? { before: { preferred: [...previous.preferred], rationale: previous.rationale } } : {},
          after: { preferred, rationale }
        });
        return factState(f.key, f.assertionIds, { preferred, rationale, actor, recordedAt, revision }, prepend(f.history, entry));
      });
      return;
    }
  }
}
var asPersistent = (map) => {
  if (map instanceof PersistentMap) return map;
  const editor = PersistentMap.empty().edit();
  for (const [key, value] of map) editor.set(key, value);
  return editor.freeze();
};
var ModelDraft = class {
  draft;
  constructor(from = initialIncidentModel) {
    this.draft = { ...from, assertions: asPersistent(from.assertions).edit(), facts: asPersistent(from.facts).edit() };
  }
  apply(event2) {
    applyTo(this.draft, event2);
    return this;
  }
  get revision() {
    return this.draft.revision;
  }
  get assertionCount() {
    return this.draft.assertionCount;
  }
  /** The assertions as folded so far (read-only use). */
  get assertions() {
    return this.draft.assertions;
  }
  assertion(id2) {
    return this.draft.assertions.get(id2);
  }
  fact(key) {
    return this.draft.facts.get(key);
  }
  /** The incident's own details: id, title, summary, openedAt. */
  details() {
    const { id: id2, title, summary, openedAt } = this.draft;
    return { id: id2, title, summary, openedAt };
  }
  freeze() {
    return { ...this.draft, assertions: this.draft.assertions.freeze(), facts: this.draft.facts.freeze() };
  }
};

// projections/version-index.ts
function lastAtOrBefore(sorted, r) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (sorted[mid] <= r) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
var VersionIndex = class {
  byKey = /* @__PURE__ */ new Map();
  /** Keys in order of first appearance, with that revision: "which keys existed at r" is a prefix. */
  order = [];
  firstRevisions = [];
  /** Records the state of `key` after `revision`; revisions must not decrease. */
  record(key, revision, state) {
    let versions = this.byKey.get(key);
    if (!versions) {
      versions = { revisions: [], states: [] };
      this.byKey.set(key, versions);
      this.order.push(key);
      this.firstRevisions.push(revision);
    }
    const last = versions.revisions.length - 1;
    if (last >= 0 && versions.revisions[last] === revision) versions.states[last] = state;
    else {
      versions.revisions.push(revision);
      versions.states.push(state);
    }
  }
  at(key, revision) {
    const versions = this.byKey.get(key);
    if (!versions) return void 0;
    const i = lastAtOrBefore(versions.revisions, revision);
    return i < 0 ? void 0 : versions.states[i];
  }
  /** How many keys existed at `revision`; they are the first that many of `keyAt`. */
  countAt(revision) {
    return lastAtOrBefore(this.firstRevisions, revision) + 1;
  }
  keyAt(index) {
    return this.order[index];
  }
  /** A read-only map of the records as they stood at `revision`. */
  asMapAt(revision) {
    return new MapAtRevision(this, revision);
  }
};
var MapAtRevision = class {
  constructor(index, revision) {
    this.index = index;
    this.revision = revision;
    this.size = index.countAt(revision);
  }
  index;
  revision;
  size;
  get(key) {
    return this.index.at(key, this.revision);
  }
  has(key) {
    return this.get(key) !== void 0;
  }
  *entries() {
    for (let i = 0; i < this.size; i++) {
      const key = this.index.keyAt(i);
      yield [key, this.index.at(key, this.revision)];
    }
  }
  *keys() {
    for (let i = 0; i < this.size; i++) yield this.index.keyAt(i);
  }
  *values() {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  forEach(callback) {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
};
var ValueHistory = class {
  revisions = [];
  values = [];
  record(revision, value) {
    this.revisions.push(revision);
    this.values.push(value);
  }
  at(revision) {
    const i = lastAtOrBefore(this.revisions, revision);
    return i < 0 ? void 0 : this.values[i];
  }
};

// projections/incident-replay.ts
var IncidentReplay = class {
  times = [];
  recordedAt = [];
  counts = [];
  draft = new ModelDraft();
  latest = initialIncidentModel;
  assertions = new VersionIndex();
  facts = new VersionIndex();
  details = new ValueHistory();
  /** While recordedAt never decreases, "up to asOf" is a binary search. */
  monotonic = true;
  /** Revision of the last event held; -1 when empty. */
  get revision() {
    return this.times.length - 1;
  }
  /** Folds in the next event of the stream. Idempotent by revision; an event past the next one is a gap and is refused. */
  offer(event2) {
    if (event2.revision <= this.revision) return "duplicate";
    if (event2.revision !== this.revision + 1) return "gap";
    const at = recordedAtMs(event2);
    if (this.times.length > 0 && at < this.times[this.times.length - 1]) this.monotonic = false;
    this.fold(event2);
    this.times.push(at);
    this.recordedAt.push(event2.metadata.recordedAt);
    this.counts.push(this.draft.assertionCount);
    return "applied";
  }
  /**
   * The revision "as of" an instant: the last event before the first one recorded after it,
   * exactly as `upTo` stops a fold. -1 when nothing had been recorded yet. No instant: the latest.
   */
  revisionAt(asOf) {
    if (asOf === void 0) return this.revision;
    const limit = asOf.getTime();
    if (!this.monotonic) {
      const first = this.times.findIndex((t) => t > limit);
      return first === -1 ? this.revision : first - 1;
    }
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = lo + hi >>> 1;
      if (this.times[mid] <= limit) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
  /** The model after the event at `revision` (default: the latest). */
  modelAt(revision = this.revision) {
    if (revision >= this.revision) {
      if (this.latest.revision !== this.revision) this.latest = this.draft.freeze();
      return this.latest;
    }
    if (revision < 0) return initialIncidentModel;
    return {
      ...this.details.at(revision),
      revision,
      updatedAt: this.recordedAt[revision],
      assertionCount: this.counts[revision],
      assertions: this.assertions.asMapAt(revision),
      facts: this.facts.asMapAt(revision)
    };
  }
  /** Applies the event and indexes the records it produced. */
  fold(event2) {
    const revision = event2.revision;
    const touchedFacts = /* @__PURE__ */ new Set();
    let assertionId;
    switch (event2.type) {
      case "IncidentOpened":
      case "IncidentDetailsRevised":
        this.draft.apply(event2);
        this.details.record(revision, this.draft.details());
        return;
      case "FactAssessed":
        touchedFacts.add(event2.data.fact);
        break;
      default: {
        assertionId = event2.data.assertionId;
        const before = this.draft.assertion(assertionId)?.fact;
        if (before !== void 0) touchedFacts.add(before);
      }
    }
    this.draft.apply(event2);
    if (assertionId !== void 0) {
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
      analyseFact(this.draft, fact);
    }
  }
};

// src/store/hash-chain.ts
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
function canonicalJson(value) {
  const text = canonicalize(value);
  if (text === void 0) throw new TypeError("value has no canonical JSON form");
  return text;
}
function chainHash(input) {
  const body = canonicalJson({
    stream: input.stream,
    revision: input.revision,
    type: input.type,
    data: input.data,
    metadata: input.metadata
  });
  return createHash("sha256").update(Buffer.from(input.metadata.prevHash, "hex")).update(body, "utf8").digest("hex");
}
function sealEvents(stream, firstRevision, prevHash, events2) {
  let prev = prevHash;
  return events2.map((e, i) => {
    const revision = firstRevision + i;
    const metadata2 = { ...e.metadata, prevHash: prev };
    const hash2 = chainHash({ stream, revision, type: e.type, data: e.data, metadata: metadata2 });
    prev = hash2;
    return { stream, revision, type: e.type, data: e.data, metadata: { ...metadata2, hash: hash2 } };
  });
}

// src/store/errors.ts
var ConcurrencyError = class extends Error {
  constructor(stream, expected, actual) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual === -1 ? "no stream" : actual}`);
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
  stream;
  expected;
  actual;
  name = "ConcurrencyError";
};

// tests/support/in-memory-event-store.fake.ts
var InMemoryEventStoreFake = class {
  kind = "in-memory-fake";
  events = [];
  reads = { stream: 0, all: 0 };
  streams = /* @__PURE__ */ new Map();
  subscriptions = /* @__PURE__ */ new Set();
  async append(stream, events2, expected = "any") {
    const existing = this.streams.get(stream) ?? [];
    const actual = existing.length - 1;
    const ok = expected === "any" || expected === "no_stream" && actual === -1 || expected === "stream_exists" && actual >= 0 || expected === actual;
    if (!ok) throw new ConcurrencyError(stream, expected, actual);
    const sealed = sealEvents(stream, existing.length, existing.at(-1)?.metadata.hash ?? ZERO_HASH, events2);
    const stored = sealed.map((e) => ({ ...e, position: this.events.length + sealed.indexOf(e) }));
    this.events.push(...stored);
    this.streams.set(stream, [...existing, ...stored]);
    for (const s of this.subscriptions) s.wake();
    return { nextExpectedRevision: actual + stored.length, position: stored.at(-1)?.position ?? -1, events: stored };
  }
  async readStream(stream, options = {}) {
    this.reads.stream++;
    const events2 = this.streams.get(stream) ?? [];
    const forwards = options.direction !== "backwards";
    const from = options.fromRevision ?? (forwards ? 0 : events2.length - 1);
    const selected = forwards ? events2.filter((e) => e.revision >= from) : events2.filter((e) => e.revision <= from).reverse();
    return selected.slice(0, options.maxCount ?? selected.length);
  }
  async streamRevision(stream) {
    return (this.streams.get(stream)?.length ?? 0) - 1;
  }
  async *readAll(options = {}) {
    this.reads.all++;
    const from = (options.after ?? -1) + 1;
    const to = options.maxCount === void 0 ? this.events.length : from + options.maxCount;
    for (let p = from; p < Math.min(to, this.events.length); p++) yield this.events[p];
  }
  async headPosition() {
    return this.events.length - 1;
  }
  subscribeToAll(handler, options = {}) {
    const subscription = new FakeSubscription(this.events, handler, options, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }
  async ping() {
  }
  async close() {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }
};
var FakeSubscription = class {
  constructor(log, handler, options, onStop) {
    this.log = log;
    this.handler = handler;
    this.options = options;
    this.onStop = onStop;
    this.next = (options.after ?? -1) + 1;
    this.done = Promise.resolve().then(() => this.pump());
  }
  log;
  handler;
  options;
  onStop;
  next;
  closed = false;
  resume;
  done;
  wake() {
    const resume = this.resume;
    this.resume = void 0;
    resume?.();
  }
  async close() {
    this.closed = true;
    this.wake();
    await this.done;
  }
  async pump() {
    let caughtUp = false;
    try {
      while (!this.closed) {
        while (this.next < this.log.length && !this.closed) {
          await this.handler(this.log[this.next]);
          this.next++;
        }
        if (this.closed) return;
        if (!caughtUp) {
          caughtUp = true;
          this.options.onCaughtUp?.();
          continue;
        }
        await new Promise((resolve) => this.resume = resolve);
      }
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.onStop();
    }
  }
};

// tests/support/incident-fixtures.ts
var id = (name) => {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let out = "";
  for (const ch of name.toUpperCase()) out += alphabet.includes(ch) ? ch : alphabet[ch.charCodeAt(0) % 32];
  return ("01" + "0".repeat(24 - out.length) + out).slice(0, 26);
};
var INCIDENT = id("incident");
var EUROPOL = id("europol");
var SKYECC = id("skyecc");
var qty = (value, extra = {}) => ({ type: "quantity", value, ...extra });

// tests/support/projection-fixtures.ts
var LE_SOIR = id("lesoir");
var EPOCH = Date.parse("2024-01-01T00:00:00Z");
var hour = (n2) => new Date(EPOCH + n2 * 36e5).toISOString();
var registered = (sourceId, name, kind = "agency") => ({
  type: "SourceRegistered",
  data: { sourceId, name, kind }
});
var metadata = (n2, recordedAt, actor) => ({
  eventId: id(`e${n2}`),
  recordedAt,
  actor,
  correlationId: `c${n2}`,
  causationId: `c${n2}`,
  schemaVersion: 1
});
function newEvent(step, n2) {
  const { event: event2, recordedAt, actor } = "event" in step ? step : { event: step, recordedAt: void 0, actor: void 0 };
  return { type: event2.type, data: event2.data, metadata: metadata(n2, recordedAt ?? hour(n2), actor ?? "editor@ledger") };
}

// tests/support/ledger-fixture.ts
var LedgerFixture = class {
  store = new InMemoryEventStoreFake();
  ticks = 0;
  async open(incidentId, title, recordedAt) {
    const opened2 = { type: "IncidentOpened", data: { incidentId, title } };
    return this.append(incidentStream(incidentId), [recordedAt ? { event: opened2, recordedAt } : opened2]);
  }
  async register(sourceId, name, kind = "agency") {
    return this.append(sourceStream(sourceId), [registered(sourceId, name, kind)]);
  }
  /** Appends steps to an incident's stream. */
  async record(incidentId, ...steps2) {
    return this.append(incidentStream(incidentId), steps2);
  }
  /** Every event so far, as the projections see them. */
  recorded() {
    return this.store.events.map(upcast);
  }
  async append(stream, steps2) {
    const result = await this.store.append(stream, steps2.map((step) => newEvent(step, this.ticks++)));
    return result.events;
  }
};

// tmp-prof2.ts
var ledger = new LedgerFixture();
var sources = Array.from({ length: 10 }, (_, i) => id(`src${i}`));
var SKY = id("sky");
await ledger.open(SKY, "Sky");
var steps = [];
var live = [];
var n = 0;
for (let i = 0; i < 1e4; i++) {
  const r = i % 50;
  const fact = `fact.${i % 200}`;
  if (r < 35 || live.length < 10) {
    const aid = id(`a${n++}`);
    live.push(aid);
    steps.push({ type: "AssertionRecorded", data: { assertionId: aid, fact, value: i % 7 === 0 ? { type: "date", value: `2021-0${i % 9 + 1}-1${i % 10}` } : qty(1e3 + i % 13 * 100, { approximate: i % 2 === 0 }), sourceId: sources[i % 10], quote: "q" } });
  } else if (r < 45) {
    steps.push({ type: "AssertionCorrected", data: { assertionId: live[i * 7919 % live.length], reason: "fix", value: qty(i) } });
  } else if (r < 49) {
    const [aid] = live.splice(i * 31 % live.length, 1);
    steps.push({ type: "AssertionRetracted", data: { assertionId: aid, reason: "oops" } });
  } else {
    steps.push({ type: "FactAssessed", data: { fact, preferred: [live[live.length - 1]], rationale: "r" } });
  }
}
await ledger.record(SKY, ...steps);
var events = ledger.store.events.map(upcast);
for (let k = 0; k < 8; k++) {
  const t = performance.now();
  const r = new IncidentReplay();
  for (const e of events) r.offer(e);
  console.log("replay", (performance.now() - t).toFixed(1));
}
