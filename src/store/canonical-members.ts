/**
 * The canonical text of a flat object (event metadata) as a list of members, to add a member to it
 * or cut one out of it without writing the whole object again.
 */
import { canonicalMemberJson, stringJson, type WithToJson } from './canonical-json.js';

/** A member of an object as canonicalJson writes it: its name, and its `"name":value` text. */
export interface CanonicalMember {
  name: string;
  text: string;
}

/**
 * The members canonicalJson(record) writes, in its order, for a flat record (every member a string,
 * number, boolean or null; those with no JSON text left out, as canonicalJson leaves them);
 * undefined for any other value. With `withMember` and `joinMembers`, a caller adds members to the
 * canonical text without writing the object again.
 */
export function flatMembers(record: Record<string, unknown>): CanonicalMember[] | undefined {
  if (Array.isArray(record) || typeof (record as WithToJson).toJSON === 'function') return undefined;
  const members: CanonicalMember[] = [];
  for (const name of Object.keys(record).sort()) {
    const value = record[name];
    if (typeof value === 'object' && value !== null) return undefined;
    const text = canonicalMemberJson(value);
    if (text !== undefined) members.push({ name, text: `${stringJson(name)}:${text}` });
  }
  return members;
}

/** `members` with `name` set to the string `value`: replaced where it is, else inserted in order. */
export function withMember(members: readonly CanonicalMember[], name: string, value: string): CanonicalMember[] {
  const out: CanonicalMember[] = [];
  let placed = false;
  for (const m of members) {
    if (!placed && m.name >= name) {
      out.push({ name, text: `${stringJson(name)}:${stringJson(value)}` });
      placed = true;
      if (m.name === name) continue;
    }
    out.push(m);
  }
  if (!placed) out.push({ name, text: `${stringJson(name)}:${stringJson(value)}` });
  return out;
}

/** The canonical text of the object made of `members`. */
export function joinMembers(members: readonly CanonicalMember[]): string {
  let text = '{';
  for (let i = 0; i < members.length; i++) text += i === 0 ? members[i]!.text : `,${members[i]!.text}`;
  return `${text}}`;
}

/**
 * Flatness is what makes cutting a member out of a canonical text by search exact: `,"name":`
 * can only start a member, since inside a string a quote is escaped.
 */
const isFlat = (record: Record<string, unknown>): boolean => {
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'object' && value !== null) return false;
  }
  return true;
};

/**
 * canonicalJson of `record` without its member `name`, from `text` = canonicalJson(record). Undefined
 * when `record` is not flat or has no such member.
 */
export function withoutMember(text: string, record: Record<string, unknown>, name: string): string | undefined {
  if (!Object.hasOwn(record, name) || !isFlat(record)) return undefined;
  const valueJson = canonicalMemberJson(record[name]);
  if (valueJson === undefined) return undefined;
  const member = `${stringJson(name)}:${valueJson}`;
  if (text.startsWith(member, 1)) {
    // The first member: drop it with the comma after it, if any.
    return text.length === member.length + 2 ? '{}' : `{${text.slice(member.length + 2)}`;
  }
  const at = text.indexOf(`,${member}`);
  if (at < 0) return undefined;
  return text.slice(0, at) + text.slice(at + 1 + member.length);
}
