import { ErrorDomain, ErrorLevel, ErrorNumber } from './codes.js';
import { formatErrorMessage } from './messages.js';

/** Extra fields of libvirt's virError, carried so the C ABI can hand them back unchanged. */
export interface VirErrorExtras {
  level?: ErrorLevel;
  str1?: string;
  str2?: string;
  str3?: string;
  int1?: number;
  int2?: number;
}

/**
 * An error as libvirt reports it: numeric code (virErrorNumber), error domain (virErrorDomain) and the
 * message in libvirt's wording. Every failure in tsvirt, in any layer, is one of these.
 */
export class VirError extends Error {
  override readonly name = 'VirError';
  readonly level: ErrorLevel;
  readonly str1?: string;
  readonly str2?: string;
  readonly str3?: string;
  readonly int1: number;
  readonly int2: number;

  constructor(
    readonly code: ErrorNumber,
    readonly domain: ErrorDomain,
    message: string,
    extras: VirErrorExtras = {},
  ) {
    super(message);
    this.level = extras.level ?? ErrorLevel.VIR_ERR_ERROR;
    this.str1 = extras.str1;
    this.str2 = extras.str2;
    this.str3 = extras.str3;
    this.int1 = extras.int1 ?? 0;
    this.int2 = extras.int2 ?? 0;
  }

  /** The symbolic name of the code, e.g. 'VIR_ERR_NO_DOMAIN'. */
  get codeName(): string {
    return nameOf(ErrorNumber, this.code);
  }

  /** The symbolic name of the domain, e.g. 'VIR_FROM_TEST'. */
  get domainName(): string {
    return nameOf(ErrorDomain, this.domain);
  }
}

function nameOf(table: Record<string, number>, value: number): string {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return String(value);
}

/**
 * Builds an error the way libvirt's virReportError does: the message is the code's template, with `detail`
 * in place of `%s` when given.
 */
export function virError(code: ErrorNumber, domain: ErrorDomain, detail?: string, extras?: VirErrorExtras): VirError {
  return new VirError(code, domain, formatErrorMessage(code, detail), extras);
}

/** Any thrown value as a VirError: foreign exceptions become internal errors, never crashes. */
export function toVirError(err: unknown, domain: ErrorDomain = ErrorDomain.VIR_FROM_NONE): VirError {
  if (err instanceof VirError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, domain, detail);
}
