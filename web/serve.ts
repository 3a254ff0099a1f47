import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';

/** The folder this file lives in: the page is served straight from it, with no build step. */
const WEB_ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * Only the page's own assets are public: the HTML, the stylesheet, the icon and the ES modules under
 * `js/`. Everything else in the folder (this file, its tsconfig) stays private.
 */
const PUBLIC_PATH = /^\/(?:index\.html|styles\.css|favicon\.svg|js\/[a-z0-9-]+\.js)?$/;

/**
 * The page's own policy. It replaces the API's generic one on these responses because that one
 * carries `upgrade-insecure-requests`, which makes a browser fetch the page's scripts and styles
 * over https when the server is reached over plain http on anything but localhost (a container
 * on a LAN address, say), and the page would load without them. No inline script or style at all.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const onlyPublicAssets: RequestHandler = (req, _res, next) => {
  if ((req.method === 'GET' || req.method === 'HEAD') && PUBLIC_PATH.test(req.path)) return next();
  next('router');
};

const pageHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  next();
};

/**
 * Serves the incident page: `index.html` at `/`, its stylesheet and its ES modules, with the
 * standard content types (`text/html`, `text/css`, `text/javascript`). Files are revalidated on
 * every load (`no-cache` + ETag), since there are no content-hashed names to cache forever.
 * Mount it at `/` after the API routes: it answers only for its own files and passes on the rest.
 */
export function webRouter(): express.Router {
  const router = express.Router();
  router.use(
    onlyPublicAssets,
    pageHeaders,
    express.static(WEB_ROOT, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: false,
      fallthrough: true,
      setHeaders: (res) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('X-Content-Type-Options', 'nosniff');
      },
    }),
  );
  return router;
}
