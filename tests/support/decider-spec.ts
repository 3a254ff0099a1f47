import { expect } from 'vitest';
import type { IncidentEvent } from '../../events/index.js';
import type { IncidentCommand } from '../../src/domain/commands.js';
import { DomainError, type DomainErrorCode } from '../../src/domain/errors.js';
import { decide, foldIncident } from '../../src/domain/incident-decider.js';

/** given(events).when(command).then(events) | .thenThrows(code): Emmett-style decider specifications. */
export const given = (...history: IncidentEvent[]) => ({
  when: (command: IncidentCommand) => {
    const run = () => decide(command, foldIncident(history));
    return {
      then: (...expected: IncidentEvent[]) => expect(run()).toEqual(expected),
      thenThrows: (code: DomainErrorCode) => {
        let caught: unknown;
        try {
          run();
        } catch (error) {
          caught = error;
        }
        expect(caught, `expected DomainError ${code}`).toBeInstanceOf(DomainError);
        expect((caught as DomainError).code).toBe(code);
      },
    };
  },
});
