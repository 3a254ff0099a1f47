import { parseEdtfInterval, type QuantityValue, type Value } from '../events/index.js';
import { foldText } from './text.js';

interface Interval {
  readonly lo: number;
  readonly hi: number;
}

const overlaps = (a: Interval, b: Interval): boolean => a.lo <= b.hi && b.lo <= a.hi;

/**
 * The range a quantity claims: exact v is [v,v]; approximate v is v ± 10% (|v|, so a negative v
 * still gives lo ≤ hi); min/max bound it; a missing bound is open. If the bounds exclude the value
 * altogether, the explicit bounds win: the schema guarantees min ≤ max, so every quantity claims a
 * non-empty range and is compatible with itself.
 */
export function quantityInterval(q: QuantityValue): Interval {
  const bounds = { lo: q.min ?? -Infinity, hi: q.max ?? Infinity };
  if (q.value === undefined) return bounds;
  const spread = q.approximate ? Math.abs(q.value) * 0.1 : 0;
  const lo = Math.max(q.value - spread, bounds.lo);
  const hi = Math.min(q.value + spread, bounds.hi);
  return lo <= hi ? { lo, hi } : bounds;
}

// Units compare exactly: "Mb" and "MB" are different units.
const sameUnit = (a: QuantityValue, b: QuantityValue): boolean => a.unit === b.unit;

function edtfOverlap(a: string, b: string): boolean {
  const x = parseEdtfInterval(a);
  const y = parseEdtfInterval(b);
  // Stored values were validated as EDTF; an unparsable one cannot be shown to agree with anything.
  if (!x || !y) return false;
  return overlaps({ lo: x.min, hi: x.max }, { lo: y.min, hi: y.max });
}

/** Do two values agree, per DESIGN.md's Values table? Symmetric; different types never agree. */
export function compatible(a: Value, b: Value): boolean {
  switch (a.type) {
    case 'quantity': {
      if (b.type !== 'quantity' || !sameUnit(a, b)) return false;
      return overlaps(quantityInterval(a), quantityInterval(b));
    }
    case 'boolean':
      return b.type === 'boolean' && a.value === b.value;
    case 'text':
      return b.type === 'text' && foldText(a.value) === foldText(b.value);
    case 'date':
      return b.type === 'date' && edtfOverlap(a.value, b.value);
  }
}
