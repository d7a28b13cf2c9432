/**
 * Errors as they travel from the installer's `error` line or a failed `sky` run to
 * an HTTP body and the page: a code, a message in plain words, and a hint of what
 * to do next. The installer's codes are the ones in src/contract.ts.
 */
import type { ErrorBody, ErrorCode } from './api.js';
import { INSTALLER_ERROR_CODES, type InstallerErrorCode } from './contract.js';

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
