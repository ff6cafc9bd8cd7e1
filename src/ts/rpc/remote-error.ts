// libvirt's error as it travels in an error reply (virNetMessageError, alias remote_error).
import { ErrorLevel } from '../errors/codes.js';
import type { VirError } from '../errors/vir-error.js';
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
