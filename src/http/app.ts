/** The routes: thin, each calling a module that is tested without HTTP. */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { CloudActions } from '../actions.js';
import { CarapaceError } from '../errors.js';
import type { InstallSession } from '../installer/session.js';
import type { StatusStore } from '../status/store.js';
import type { EventStream } from './events.js';
import { guardRequests, type HostPolicy } from './security.js';

export interface AppParts {
  store: StatusStore;
  session: InstallSession;
  actions: CloudActions;
  events: EventStream;
  hosts: HostPolicy;
  /** The page's files (public/), served at /. */
  pageDir: string;
  /** The offline demo: the page shows a banner saying uv and sky are stand-ins. */
  demo: boolean;
}

export function createApp({ store, session, actions, events, hosts, pageDir, demo }: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(guardRequests(hosts));
  app.use(express.json({ limit: '16kb', type: 'application/json' }));

  app.get('/app-info', (_req, res) => {
    res.json({ demo });
  });

  app.get('/status', (_req, res) => {
    res.json(store.status());
  });

  app.post('/install', (req, res) => {
    const force = (req.body as { force?: unknown } | undefined)?.force === true;
    if (!force && store.skyLocation()) {
      res.status(200).json(store.status());
      return;
    }
    const { id } = session.start(force ? ['--force'] : []);
    res.status(202).json({ install_id: id });
  });

  app.get('/events', events.handle);

  app.post('/clouds/check', async (_req, res) => {
    res.json(await actions.checkClouds());
  });

  app.get('/servers', async (_req, res) => {
    res.json({ servers: await actions.listServers() });
  });

  app.post('/servers', async (req, res) => {
    res.status(202).json(await actions.launchServer(req.body));
  });

  app.delete('/servers/:name', async (req, res) => {
    res.status(202).json(await actions.tearDown(String(req.params.name)));
  });

  // After the API, so that its requests never look at the disk.
  app.use(express.static(pageDir, { index: 'index.html' }));

  app.use((_req, _res, next) => {
    next(new CarapaceError('not-found', 'There is nothing at this address.', 'See README.md for the endpoints.', 404));
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const known = asCarapaceError(error);
    res.status(known.httpStatus).json(known.toBody());
  });
  return app;
}

function asCarapaceError(error: unknown): CarapaceError {
  if (error instanceof CarapaceError) return error;
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') {
    return new CarapaceError('invalid-request', 'The request body is not valid JSON.', 'Send a JSON object.', 400);
  }
  if (type === 'entity.too.large') {
    return new CarapaceError('invalid-request', 'The request body is too large.', 'Send at most 16 KB of JSON.', 413);
  }
  console.error(error);
  return new CarapaceError(
    'internal',
    'Something went wrong inside Carapace.',
    'Retry; if it persists, see the server log.',
    500,
  );
}
