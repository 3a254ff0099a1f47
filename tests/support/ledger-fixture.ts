import { incidentStream, sourceStream, upcast, type IncidentEvent, type Recorded, type StoredEvent } from '../../events/index.js';
import { InMemoryEventStoreFake } from './in-memory-event-store.fake.js';
import { newEvent, registered } from './projection-fixtures.js';

type Step = Parameters<typeof newEvent>[0];

/**
 * A small ledger on the fake store whose clock ticks one hour per event (from the fixture
 * epoch) unless a step is placed with `at(…)`.
 */
export class LedgerFixture {
  readonly store = new InMemoryEventStoreFake();
  private ticks = 0;

  /** `eventIdPrefix` tells the event ids of two fixture ledgers apart. */
  constructor(private readonly eventIdPrefix = 'e') {}

  async open(incidentId: string, title: string, recordedAt?: string): Promise<StoredEvent[]> {
    const opened: IncidentEvent = { type: 'IncidentOpened', data: { incidentId, title } };
    return this.append(incidentStream(incidentId), [recordedAt ? { event: opened, recordedAt } : opened]);
  }

  async register(sourceId: string, name: string, kind = 'agency'): Promise<StoredEvent[]> {
    return this.append(sourceStream(sourceId), [registered(sourceId, name, kind)]);
  }

  /** Appends steps to an incident's stream. */
  async record(incidentId: string, ...steps: Step[]): Promise<StoredEvent[]> {
    return this.append(incidentStream(incidentId), steps);
  }

  /** Every event so far, as the projections see them. */
  recorded(): Recorded[] {
    return this.store.events.map(upcast);
  }

  private async append(stream: string, steps: Step[]): Promise<StoredEvent[]> {
    const result = await this.store.append(stream, steps.map((step) => newEvent(step, this.ticks++, this.eventIdPrefix)));
    return result.events;
  }
}
