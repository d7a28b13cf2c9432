/**
 * This server can start paid cloud machines, and any web page the user visits
 * can send requests to localhost. So: requests must name this server in their
 * Host header (against DNS rebinding), state-changing requests from a browser
 * must come from this server's own page (against CSRF), and bodies are JSON only.
 * No CORS headers are ever sent.
 */
import type { NextFunction, Request, Response } from 'express';
import { CarapaceError } from '../errors.js';

export class HostPolicy {
  private hosts = new Set<string>();

  /**
   * @param bindHost the address the server listens on
   * @param extraHosts more host[:port] names to accept (a container's published name)
   */
  constructor(
    private readonly bindHost: string,
    private readonly extraHosts: string[] = [],
  ) {}

  /** Called once the port is known. */
  setPort(port: number): void {
    const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
    if (!['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(this.bindHost)) names.add(this.bindHost);
    this.hosts = new Set([...names].map((name) => `${name}:${port}`));
    for (const extra of this.extraHosts) this.hosts.add(extra.toLowerCase());
  }

  allowsHost(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  allowsOrigin(origin: string): boolean {
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.hosts.has(url.host.toLowerCase());
    } catch {
      return false;
    }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function forbidden(message: string, hint: string): CarapaceError {
  return new CarapaceError('forbidden', message, hint, 403);
}

export function guardRequests(policy: HostPolicy) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!policy.allowsHost(req.headers.host)) {
      next(
        forbidden(
          `Requests must be addressed to this server by its local name, not "${req.headers.host ?? ''}".`,
          'Open Carapace at http://127.0.0.1 or http://localhost with its port.',
        ),
      );
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      if ((origin !== undefined && !policy.allowsOrigin(origin)) || req.headers['sec-fetch-site'] === 'cross-site') {
        next(forbidden('This request came from another web site.', 'Use the Carapace page itself to do this.'));
        return;
      }
      if (hasBody(req) && !req.is('application/json')) {
        next(
          new CarapaceError(
            'unsupported-media-type',
            'Request bodies must be JSON.',
            'Send Content-Type: application/json.',
            415,
          ),
        );
        return;
      }
    }
    next();
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
