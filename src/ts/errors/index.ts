export { ErrorDomain, ErrorLevel, ErrorNumber } from './codes.js';
export { errorDomainName, formatErrorMessage } from './messages.js';
export { VirError, virError, toVirError, type VirErrorExtras } from './vir-error.js';
export { describeErrno, systemError } from './system.js';
