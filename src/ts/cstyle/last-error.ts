import { VirConnect, VirDomain, VirNetwork, VirStoragePool, VirStorageVol } from '../core/handles.js';
import { ErrorLevel, ErrorNumber, VirError, errorDomainName, toVirError } from '../errors/index.js';
import { VirJob } from '../jobs/job.js';

/**
 * libvirt's error reporting for the C-style API: the last error (per caller; JavaScript has one thread,
 * the C ABI keeps its own per thread), a copy on the connection involved, and the error callback, whose
 * default prints to stderr as libvirt's does.
 */
export type virErrorFunc = (userData: unknown, error: VirError) => void;

let lastError: VirError | null = null;
let handler: virErrorFunc | null = null;
let handlerData: unknown = null;

export function resetLastError(): void {
  lastError = null;
}

export function reportError(err: unknown, subject: unknown): void {
  const error = toVirError(err);
  lastError = error;
  const conn = connectionOf(subject);
  if (conn) conn.lastError = error;
  if (handler) handler(handlerData, error);
  else virDefaultErrorFunc(error);
}

function connectionOf(subject: unknown): VirConnect | null {
  if (subject instanceof VirConnect) return subject.alive ? subject : null;
  if (
    subject instanceof VirDomain ||
    subject instanceof VirNetwork ||
    subject instanceof VirStoragePool ||
    subject instanceof VirStorageVol ||
    subject instanceof VirJob
  )
    return subject.conn.alive ? subject.conn : null;
  return null;
}

export function virGetLastError(): VirError | null {
  return lastError;
}

export function virGetLastErrorCode(): number {
  return lastError?.code ?? ErrorNumber.VIR_ERR_OK;
}

export function virGetLastErrorDomain(): number {
  return lastError?.domain ?? 0;
}

export function virGetLastErrorMessage(): string {
  return lastError ? lastError.message : 'no error';
}

export function virResetLastError(): void {
  lastError = null;
}

/** A copy the caller keeps (virSaveLastError); null when there is no error. */
export function virSaveLastError(): VirError | null {
  return lastError ? copy(lastError) : null;
}

export function virConnGetLastError(conn: VirConnect): VirError | null {
  return conn instanceof VirConnect ? conn.lastError : null;
}

export function virConnResetLastError(conn: VirConnect): void {
  if (conn instanceof VirConnect) conn.lastError = null;
}

/** Replaces the error callback; null restores the default (printing to stderr). */
export function virSetErrorFunc(userData: unknown, fn: virErrorFunc | null): void {
  handler = fn;
  handlerData = userData;
}

/** libvirt's default report: `libvirt: <error domain> error : <message>` on stderr. */
export function virDefaultErrorFunc(error: VirError | null): void {
  if (!error || error.code === ErrorNumber.VIR_ERR_OK) return;
  const level = error.level === ErrorLevel.VIR_ERR_WARNING ? 'warning' : error.level === ErrorLevel.VIR_ERR_ERROR ? 'error' : '';
  const text = error.message.endsWith('\n') ? error.message : `${error.message}\n`;
  process.stderr.write(`libvirt: ${errorDomainName(error.domain)} ${level} : ${text}`);
}

function copy(error: VirError): VirError {
  return new VirError(error.code, error.domain, error.message, error);
}
