import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Mode } from './config.js';
import type { Figure, Machine } from './measure.js';

export interface Report {
  mode: Mode;
  startedAt: string;
  durationSeconds: number;
  machine: Machine & { loadAverage: { start: number; end: number } };
  ledger: {
    events: number;
    incidents: number;
    sources: number;
    bigIncidents: Array<{ id: string; events: number }>;
    eventTypes: Record<string, number>;
    valueTypes: Record<string, number>;
    appends: number;
    databaseMiB: number;
  };
  figures: Figure[];
  /** Things a reader must know about this run. */
  notes: string[];
  /** What limits the figures that miss a target: the profiles' findings (bench/analysis.md). */
  analysis: string[];
}

const number = (n: number): string => {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en', { minimumFractionDigits: 0, maximumFractionDigits: digits });
};

const cell = (value: number, unit: string, extra?: Record<string, number>): string => {
  const main = `${number(value)} ${unit}`;
  if (!extra || Object.keys(extra).length === 0) return main;
  return `${main} (${Object.entries(extra)
    .map(([k, v]) => `${k} ${number(v)}`)
    .join(', ')})`;
};

const escape = (s: string): string => s.replace(/\|/g, '\\|');

export function renderMarkdown(report: Report, jsonPath = 'bench/results.json'): string {
  const m = report.machine;
  const machineCell = `${m.cpu}, ${m.cores} cores, Node ${m.node}`;
  const lines: string[] = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push(
    `Produced by \`npm run bench${report.mode === 'full' ? '' : ` -- --${report.mode}`}\` (**${report.mode} mode**, ${report.ledger.events.toLocaleString('en')} events) on ${report.startedAt.slice(0, 10)}, in ${Math.round(report.durationSeconds)} s. ` +
      'Every figure sits beside a baseline measured in the same run, on the same data, on the same machine. ' +
      '**Ratio is always "higher is better"**: ours ÷ baseline for rates, baseline ÷ ours for latencies, times and memory. ' +
      `Raw numbers are in \`${jsonPath}\`.`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; 1-minute load average ${m.loadAverage.start.toFixed(1)} at the start and ${m.loadAverage.end.toFixed(1)} at the end ` +
      '(the machine is shared: other work running at the same time lowers every figure, the HTTP ones most).',
  );
  lines.push('');
  lines.push(
    `The ledger: ${report.ledger.events.toLocaleString('en')} events in ${report.ledger.appends.toLocaleString('en')} appends, ${report.ledger.incidents.toLocaleString('en')} incidents, ${report.ledger.sources} sources; ` +
      `big incidents of ${report.ledger.bigIncidents.map((b) => b.events.toLocaleString('en')).join(', ')} events; ` +
      `events ${Object.entries(report.ledger.eventTypes).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}; ` +
      `values ${Object.entries(report.ledger.valueTypes).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}; ` +
      `${number(report.ledger.databaseMiB)} MiB of SQLite.`,
  );
  lines.push('');
  lines.push('| figure | ours | baseline | ratio | events | machine |');
  lines.push('|---|---|---|---|---|---|');
  for (const f of report.figures) {
    lines.push(
      `| ${escape(f.figure)} | ${escape(cell(f.ours, f.unit, f.extra))} | ${escape(`${number(f.baseline)} ${f.unit} — ${f.baselineLabel}`)} | ${number(f.ratio)} | ${f.events.toLocaleString('en')} | ${escape(machineCell)} |`,
    );
  }
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| figure | target | measured | met |');
  lines.push('|---|---|---|---|');
  for (const f of report.figures) {
    if (!f.target) continue;
    lines.push(`| ${escape(f.figure)} | ${escape(f.target.text)} | ratio ${number(f.ratio)}; ours ${escape(cell(f.ours, f.unit))} | ${f.target.met ? 'yes' : '**no**'} |`);
  }
  lines.push('');
  if (report.notes.length > 0) {
    lines.push('## Notes');
    lines.push('');
    for (const note of report.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  if (report.analysis.length > 0) {
    lines.push('## What limits the figures that miss a target');
    lines.push('');
    lines.push('From `node --cpu-prof` profiles (bench/profile-target.ts, bench/profile-http.ts) and bench/experiments/; kept in bench/analysis.md.');
    lines.push('');
    for (const item of report.analysis) lines.push(`- ${item}`);
    lines.push('');
  }
  const withNotes = report.figures.filter((f) => f.note);
  if (withNotes.length > 0) {
    lines.push('## How each figure is measured');
    lines.push('');
    for (const f of withNotes) lines.push(`- **${f.figure}**: ${f.note}`);
    lines.push('');
  }
  return lines.join('\n');
}

export function writeReport(report: Report, markdownPath: string, jsonPath: string): void {
  for (const path of [markdownPath, jsonPath]) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdownPath, renderMarkdown(report, relative(dirname(resolve(markdownPath)), resolve(jsonPath)) || jsonPath));
}
