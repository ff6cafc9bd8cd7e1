// Types for guest.mjs (plain ESM so bench/ scripts can import it too).
import type { Libvirtd } from './libvirtd.mjs';

export const READY_LINE: string;

export function buildGuest(): Promise<{ cacheDir: string; kernel: string; initrd: string }>;

export interface GuestOptions {
  name?: string;
  memoryMiB?: number;
  /** MiB of guest RAM the guest's /init fills with non-zero bytes (default 32; memory defaults to 256). */
  fillMiB?: number;
}

export function guestXml(options: GuestOptions & { name: string; kernel: string; initrd: string; consoleLog: string }): string;

export interface Guest {
  name: string;
  uri: string;
  xml: string;
  xmlFile: string;
  consoleLog: string;
  /** From `virsh create` (or define) until the guest reported its memory filled. */
  bootMs: number;
}

export function bootGuest(daemon: Libvirtd, options?: GuestOptions & { persistent?: boolean; timeoutMs?: number }): Promise<Guest>;
export function waitForConsole(file: string, text: string, timeoutMs: number, check?: () => Promise<string | null>): Promise<string>;

export interface JobInfo {
  /** "None", "Unbounded", "Bounded", "Completed", ... as virsh prints them. */
  type: string | undefined;
  operation: string | undefined;
  dataProcessedBytes?: number;
  dataRemainingBytes?: number;
  dataTotalBytes?: number;
  rows: Record<string, string>;
  text: string;
}

export function domjobinfo(uri: string, name: string, extraArgs?: string[]): Promise<JobInfo | null>;
export function waitForJob(uri: string, name: string, until: (info: JobInfo | null) => boolean, timeoutMs?: number): Promise<JobInfo | null>;
