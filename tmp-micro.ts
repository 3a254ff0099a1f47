import { PersistentMap } from './projections/persistent-map.js';
import { id } from './tests/support/incident-fixtures.js';
const keys = Array.from({ length: 7000 }, (_, i) => id(`a${i}`));
for (let k = 0; k < 5; k++) {
  let t = performance.now();
  const ed = PersistentMap.empty<number>().edit();
  for (const key of keys) ed.set(key, 1);
  const m = ed.freeze();
  const t1 = performance.now() - t;
  t = performance.now();
  const ed2 = m.edit();
  for (const key of keys) ed2.set(key, 2);
  const t2 = performance.now() - t;
  t = performance.now();
  const mm = new Map<string, number>();
  for (const key of keys) mm.set(key, 1);
  const t3 = performance.now() - t;
  t = performance.now();
  let s = 0; for (const key of keys) s += m.get(key) ?? 0;
  const t4 = performance.now() - t;
  console.log('fresh', t1.toFixed(2), 'edit', t2.toFixed(2), 'plain map', t3.toFixed(2), 'get', t4.toFixed(2));
}
const leaves = new Map<number, number>();
for (const key of keys) { let h = 0x811c9dc5; for (let i = 0; i < key.length; i++) { h ^= key.charCodeAt(i); h = Math.imul(h, 0x01000193); } h >>>= 0; const leaf = h & 4095; leaves.set(leaf, (leaves.get(leaf) ?? 0) + 1); }
console.log('leaves used', leaves.size, 'max', Math.max(...leaves.values()), keys.slice(0,3));
