import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** Serves the incident page (static files in this folder). */
export function webRouter(): express.Router {
  const router = express.Router();
  router.use(express.static(join(dirname(fileURLToPath(import.meta.url)), 'public'), { index: 'index.html' }));
  return router;
}
