/**
 * Errors as they travel from the installer's `error` line to an HTTP body and
 * the page: a code, a message in plain words, and a hint of what to do next.
 * The installer's codes are the same names as in scripts/install-skypilot.sh.
 */

export const INSTALLER_ERROR_CODES = [
  'platform',
  'missing-tool',
  'network',
  'tls',
  'checksum',
  'disk',
  'permission',
  'lock',
  'package',
  'python',
  'interrupted',
  'internal',
] as const;

/** The server's own failures, outside the installer. */
export const SERVER_ERROR_CODES = [
  'invalid-request',
  'unsupported-media-type',
  'forbidden',
  'not-found',
  'sky-failed',
  'shutting-down',
] as const;

export type InstallerErrorCode = (typeof INSTALLER_ERROR_CODES)[number];
export type ErrorCode = InstallerErrorCode | (typeof SERVER_ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint: string;
}

export function isInstallerErrorCode(code: string): code is InstallerErrorCode {
  return (INSTALLER_ERROR_CODES as readonly string[]).includes(code);
}

export class CarapaceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'CarapaceError';
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function invalidRequest(message: string, hint = 'Fix the request and send it again.'): CarapaceError {
  return new CarapaceError('invalid-request', message, hint, 400);
}
