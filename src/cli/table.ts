import type { Value } from '../../events/index.js';
import type { AssertionView, Disputes, FactsView, IncidentView, Timeline } from '../../projections/schemas.js';

/** What `replay` shows: the API's three "as of" views (and the incident summary for the heading). */
export interface ReplayAnswer {
  incidentId: string;
  asOf: string;
  incident?: IncidentView | undefined;
  timeline: Timeline;
  facts: FactsView;
  disputes: Disputes;
}

const MAX_CELL = 60;

function cell(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/** Left-aligned columns under a header, two spaces apart. */
export function table(header: string[], rows: string[][]): string[] {
  const cells = [header, ...rows].map((r) => r.map(cell));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)];
}

const number = (n: number): string => n.toLocaleString('en-US');

export function formatValue(value: Value): string {
  switch (value.type) {
    case 'quantity': {
      const unit = value.unit ? ` ${value.unit}` : '';
      const figure =
        value.value !== undefined
          ? `${value.approximate ? '~' : ''}${number(value.value)}`
          : `${value.min !== undefined ? number(value.min) : '…'}–${value.max !== undefined ? number(value.max) : '…'}`;
      return `${figure}${unit}`;
    }
    case 'boolean':
      return value.value ? 'yes' : 'no';
    case 'text':
    case 'date':
      return value.value;
  }
}

const source = (a: Pick<AssertionView, 'sourceName' | 'sourceId'>): string => a.sourceName ?? a.sourceId;
const mark = (a: AssertionView): string => (a.corrected ? ' (corrected)' : '');

export function renderReplay(answer: ReplayAnswer): string[] {
  const { timeline, facts, disputes, incident } = answer;
  const out: string[] = [
    `${incident?.title ?? `incident ${answer.incidentId}`}`,
    `incident ${answer.incidentId} as of ${answer.asOf}: revision ${timeline.revision}`,
    '',
    `TIMELINE (${timeline.entries.length})`,
  ];
  out.push(
    ...table(
      ['VALID TIME', 'FACT', 'STATUS', 'VALUE', 'SOURCE'],
      timeline.entries.flatMap((e) => e.assertions.map((a, i) => [i === 0 ? e.validTime : '', i === 0 ? e.fact : '', i === 0 ? e.status : '', formatValue(a.value) + mark(a), source(a)])),
    ),
  );
  out.push('', `FACTS (${facts.facts.length})`);
  out.push(
    ...table(
      ['FACT', 'STATUS', 'VALUE', 'SOURCE', 'RECORDED'],
      facts.facts.flatMap((f) => f.assertions.map((a, i) => [i === 0 ? f.fact : '', i === 0 ? f.status : '', formatValue(a.value) + mark(a), source(a), a.recordedAt])),
    ),
  );
  out.push('', `DISPUTES (${disputes.disputes.length})`);
  if (disputes.disputes.length > 0) {
    out.push(
      ...table(
        ['FACT', 'STATUS', 'POSITION', 'SOURCE', 'PREFERRED'],
        disputes.disputes.flatMap((d) =>
          d.positions.map((p, i) => [i === 0 ? d.fact : '', i === 0 ? d.status : '', formatValue(p.value), source(p), d.assessment?.preferred.includes(p.assertionId) ? 'yes' : '']),
        ),
      ),
    );
  }
  return out;
}
