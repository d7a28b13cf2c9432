/**
 * The routes: thin, each calling a module that is tested without HTTP. GET /status
 * and GET /events do not come through here (src/server.ts answers them first).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppInfo, LogTail } from '../api.js';
import type { CloudChecks } from '../clouds.js';
import { CarapaceError, invalidRequest } from '../errors.js';
import type { Lifecycle } from '../installer/lifecycle.js';
import type { InstallSession } from '../installer/session.js';
import { redactUrl, withoutCredentials } from '../redact.js';
import type { ServersContext } from '../servers/context.js';
import { cancelLaunch, launchServer } from '../servers/launch.js';
import { listServers } from '../servers/list.js';
import { tearDown } from '../servers/teardown.js';
import type { Settings } from '../settings/settings.js';
import { CLOUDS } from '../sky/clouds.js';
import type { StatusStore } from '../status/store.js';

export interface AppParts {
  store: StatusStore;
  session: InstallSession;
  lifecycle: Lifecycle;
  clouds: CloudChecks;
  servers: ServersContext;
  settings: Settings;
  /** The end of the install log, secrets removed. */
  logTail(): LogTail | null;
  /** The page's files (public/), served at /. */
  pageDir: string;
  /** The offline demo: the page shows a banner saying uv and sky are stand-ins. */
  demo: boolean;
  /** What a launch needs on this machine and is missing, looked for at start. */
  missingTools: string[];
}

export function createApp(parts: AppParts): express.Express {
  const { store, session, lifecycle, clouds, servers, settings, logTail, pageDir, demo, missingTools } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Every JSON answer and error body, without the user names and passwords of
  // addresses: sky check's raw text names the API server, errors quote addresses.
  app.set('json replacer', withoutCredentials);
  app.use(express.json({ limit: '16kb', type: 'application/json', strict: true }));

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/app-info', (_req, res) => {
    const info: AppInfo = { demo, clouds: [...CLOUDS], missing_tools: missingTools };
    res.json(info);
  });

  app.post('/install', (req, res) => {
    const started = session.requestInstall(bodyObject(req.body).force === true);
    if (started) res.status(202).json(started);
    else res.status(200).json(store.status());
  });

  app.post('/install/cancel', (_req, res) => {
    res.json(session.cancel());
  });

  app.post('/update', (_req, res) => {
    res.status(202).json(lifecycle.update());
  });

  app.post('/uninstall', (_req, res) => {
    res.status(202).json(lifecycle.uninstall());
  });

  app.post('/clouds/:name/enable', async (req, res) => {
    res.json(await clouds.enable(String(req.params.name)));
  });

  app.get('/settings', (_req, res) => {
    res.json(settings.answer());
  });

  app.put('/settings', (req, res) => {
    res.json(settings.save(req.body));
  });

  app.get('/logs/install', (_req, res, next) => {
    const tail = logTail();
    if (tail) res.json(tail);
    else
      next(
        new CarapaceError('not-found', 'There is no installation log yet.', 'It is written by the first install.', 404),
      );
  });

  app.post('/clouds/check', async (_req, res) => {
    res.json(await clouds.check());
  });

  app.get('/servers', async (req, res) => {
    res.json(await listServers(servers, { refresh: req.query.refresh === 'true' }));
  });

  app.post('/servers', async (req, res) => {
    res.status(202).json(await launchServer(servers, req.body));
  });

  app.delete('/servers/:name', async (req, res) => {
    res.status(202).json(await tearDown(servers, String(req.params.name)));
  });

  app.post('/operations/:id/cancel', async (req, res) => {
    res.json(await cancelLaunch(servers, String(req.params.id)));
  });

  // After the API, so that its requests never look at the disk.
  // Without a Cache-Control of its own, which would replace no-store (SECURITY_HEADERS).
  app.use(express.static(pageDir, { index: 'index.html', dotfiles: 'ignore', redirect: false, cacheControl: false }));

  app.use((_req, _res, next) => {
    next(
      new CarapaceError('not-found', 'There is nothing at this address.', 'See docs/server.md for the endpoints.', 404),
    );
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const known = asCarapaceError(error);
    if (!res.headersSent) res.status(known.httpStatus).json(known.toBody());
  });
  return app;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** Errors from Express and its body parser carry an HTTP status: a 4xx is the client's, said so. */
function asCarapaceError(error: unknown): CarapaceError {
  if (error instanceof CarapaceError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; type?: unknown };
  const status = typeof fields.status === 'number' ? fields.status : 500;
  if (status === 413) {
    return new CarapaceError('invalid-request', 'The request body is too large.', 'Send at most 16 KB of JSON.', 413);
  }
  if (status === 415) {
    return new CarapaceError(
      'unsupported-media-type',
      'The request body is not in a form Carapace reads.',
      'Send UTF-8 JSON, uncompressed.',
      415,
    );
  }
  if (status >= 400 && status < 500) {
    const what =
      fields.type === 'entity.parse.failed' ? 'The request body is not valid JSON.' : 'The request is malformed.';
    return new CarapaceError('invalid-request', what, 'Fix the request and send it again.', 400);
  }
  console.error(redactUrl(error instanceof Error ? (error.stack ?? error.message) : String(error)));
  return new CarapaceError(
    'internal',
    'Something went wrong inside Carapace.',
    'Retry; if it persists, see the server log.',
    500,
  );
}
