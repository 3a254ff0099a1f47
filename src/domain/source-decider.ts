import type { SourceEvent } from '../../events/index.js';
import type { RegisterSource } from './commands.js';
import { DomainError } from './errors.js';

export interface SourceState {
  readonly exists: boolean;
  readonly name?: string;
}

export const initialSourceState = (): SourceState => ({ exists: false });

export const evolveSource = (state: SourceState, event: SourceEvent): SourceState =>
  event.type === 'SourceRegistered' ? { exists: true, name: event.data.name } : state;

export const decideSource = (command: RegisterSource, state: SourceState): SourceEvent[] => {
  if (state.exists) throw new DomainError('source-already-exists', `source ${command.data.sourceId} already exists`);
  return [{ type: 'SourceRegistered', data: command.data }];
};
