/**
 * Every route the service serves, as the design's contract lists it, with the role it needs.
 * Written out here rather than read from the app, so a route that loses or changes its guard
 * shows up as a difference.
 */
export type Needed = 'none' | 'reader' | 'reporter' | 'editor' | 'auditor';

export interface RouteCase {
  method: 'GET' | 'POST';
  /** With `:id` (an incident), `:aid` (an assertion of it) and `:fact` (a fact of it). */
  path: string;
  needs: Needed;
}

export const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/healthz', needs: 'none' },
  { method: 'GET', path: '/readyz', needs: 'none' },
  { method: 'GET', path: '/metrics', needs: 'none' },
  { method: 'GET', path: '/openapi.json', needs: 'none' },
  { method: 'GET', path: '/', needs: 'none' },

  { method: 'POST', path: '/api/incidents', needs: 'reporter' },
  { method: 'GET', path: '/api/incidents', needs: 'reader' },
  { method: 'GET', path: '/api/incidents/:id', needs: 'reader' },
  { method: 'POST', path: '/api/incidents/:id/revisions', needs: 'editor' },
  { method: 'POST', path: '/api/sources', needs: 'reporter' },
  { method: 'GET', path: '/api/sources', needs: 'reader' },
  { method: 'POST', path: '/api/incidents/:id/assertions', needs: 'reporter' },
  { method: 'POST', path: '/api/incidents/:id/assertions/:aid/corrections', needs: 'editor' },
  { method: 'POST', path: '/api/incidents/:id/assertions/:aid/retractions', needs: 'editor' },
  { method: 'POST', path: '/api/incidents/:id/facts/:fact/assessments', needs: 'editor' },
  { method: 'GET', path: '/api/incidents/:id/timeline', needs: 'reader' },
  { method: 'GET', path: '/api/incidents/:id/facts', needs: 'reader' },
  { method: 'GET', path: '/api/incidents/:id/disputes', needs: 'reader' },
  { method: 'GET', path: '/api/incidents/:id/facts/:fact/history', needs: 'reader' },
  { method: 'GET', path: '/api/incidents/:id/assertions/:aid/history', needs: 'reader' },
  { method: 'GET', path: '/api/incidents/:id/live', needs: 'reader' },

  { method: 'GET', path: '/api/incidents/:id/events', needs: 'auditor' },
  { method: 'GET', path: '/api/sources/:id/events', needs: 'auditor' },
  { method: 'GET', path: '/api/incidents/:id/digest', needs: 'auditor' },
  { method: 'GET', path: '/api/audit/checkpoint', needs: 'auditor' },
  { method: 'GET', path: '/api/audit/public-key', needs: 'auditor' },
  { method: 'GET', path: '/api/audit/proofs/inclusion', needs: 'auditor' },
  { method: 'GET', path: '/api/audit/proofs/consistency', needs: 'auditor' },
  { method: 'POST', path: '/api/audit/verify', needs: 'auditor' },
];

/** Writes change the ledger; `POST /api/audit/verify` only reads it. */
export const isWrite = (route: RouteCase): boolean => route.method === 'POST' && route.path !== '/api/audit/verify';

/** The design's grants: reader < reporter < editor; auditor = reader + audit; admin = all. */
export const MAY: Record<'reader' | 'reporter' | 'editor' | 'auditor' | 'admin', ReadonlyArray<Needed>> = {
  reader: ['none', 'reader'],
  reporter: ['none', 'reader', 'reporter'],
  editor: ['none', 'reader', 'reporter', 'editor'],
  auditor: ['none', 'reader', 'auditor'],
  admin: ['none', 'reader', 'reporter', 'editor', 'auditor'],
};

export function fill(path: string, ids: { id: string; aid: string; fact: string }): string {
  return path.replace(':id', ids.id).replace(':aid', ids.aid).replace(':fact', ids.fact);
}
