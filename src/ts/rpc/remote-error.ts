// libvirt's error as it travels in an error reply (virNetMessageError, alias remote_error), both ways.
import { type ErrorDomain, ErrorLevel, type ErrorNumber } from '../errors/codes.js';
import { VirError } from '../errors/vir-error.js';
import type { virNetMessageError } from './generated/virnet-protocol.js';

export function toRemoteError(err: VirError): virNetMessageError {
  return {
    code: err.code,
    domain: err.domain,
    message: err.message,
    level: err.level ?? ErrorLevel.VIR_ERR_ERROR,
    dom: null,
    str1: err.str1 ?? null,
    str2: err.str2 ?? null,
    str3: err.str3 ?? null,
    int1: err.int1,
    int2: err.int2,
    net: null,
  };
}

export function fromRemoteError(e: virNetMessageError): VirError {
  return new VirError(e.code as ErrorNumber, e.domain as ErrorDomain, e.message ?? '', {
    level: e.level as ErrorLevel,
    str1: e.str1 ?? undefined,
    str2: e.str2 ?? undefined,
    str3: e.str3 ?? undefined,
    int1: e.int1,
    int2: e.int2,
  });
}
