/**
 * Why the domain refused a command. The HTTP edge maps each code to a status:
 * `*-not-found` on an id in the path → 404, everything else → 422.
 */
export const DOMAIN_ERROR_CODES = [
  'incident-not-found',
  'incident-already-exists',
  'source-already-exists',
  'unknown-source',
  'assertion-not-found',
  'assertion-already-exists',
  'assertion-retracted',
  'correction-changes-nothing',
  'time-unbounded',
  'details-unchanged',
  'assessment-names-unknown-assertion',
  'assessment-names-assertion-off-fact',
  'assessment-names-retracted-assertion',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    detail: string,
  ) {
    super(detail);
  }
}
