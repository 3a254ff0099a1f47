/**
 * Prints the hottest functions (self time) of a V8 .cpuprofile, as written by `node --cpu-prof`:
 *   npx tsx bench/profile-summary.ts some.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summarizeProfile(profile: CpuProfile, top = 25): Array<{ share: number; ms: number; frame: string }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').split('/').slice(-3).join('/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ share: us / total, ms: us / 1000, frame }));
}

const frameName = ({ functionName, url, lineNumber, columnNumber }: CallFrame & { columnNumber?: number }): string =>
  `${functionName || '(anonymous)'} ${url.split('/').slice(-3).join('/')}:${lineNumber + 1}:${(columnNumber ?? 0) + 1}`;

/** The call stacks (outermost last) that lead to frames whose name matches `pattern`, by self time. */
export function callersOf(profile: CpuProfile, pattern: RegExp, depth = 6): Array<{ ms: number; stack: string[] }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const stacks = new Map<string, { ms: number; stack: string[] }>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    if (!pattern.test(frameName(node.callFrame))) continue;
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined && stack.length < depth; at = parent.get(at)) stack.push(frameName(byId.get(at)!.callFrame));
    const key = stack.join(' < ');
    const entry = stacks.get(key) ?? { ms: 0, stack };
    entry.ms += us / 1000;
    stacks.set(key, entry);
  }
  return [...stacks.values()].sort((a, b) => b.ms - a.ms);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top, callers] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [top] [CALLERS_REGEX]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (callers) {
    for (const { ms, stack } of callersOf(profile, new RegExp(callers)).slice(0, Number(top ?? 5))) {
      console.log(`${ms.toFixed(0).padStart(7)} ms  ${stack.join('\n              < ')}`);
    }
    process.exit(0);
  }
  for (const row of summarizeProfile(profile, Number(top ?? 25))) {
    console.log(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(7)} ms  ${row.frame}`);
  }
}
