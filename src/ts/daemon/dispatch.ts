// Runs one REMOTE call through its binding: arguments from the wire, the entry point, the reply from its
// result. Procedures without a binding answer as a libvirt driver without that function does.
import type { VirConnect } from '../core/handles.js';
import { VirObject } from '../core/object.js';
import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { RpcProcedure } from '../rpc/program.js';
import { BINDINGS } from './bindings.js';
import { fromWire, HandleScope, toWire } from './wire-values.js';

const PREFIX = 'REMOTE_PROC_';

/** libvirt's public function name for a procedure, for "not supported" errors: DOMAIN_GET_XML_DESC -> virDomainGetXMLDesc. */
export function publicName(procedure: RpcProcedure): string {
  const ACRONYMS = new Set(['XML', 'UUID', 'ID', 'URI', 'OS', 'CPU', 'IO', 'FS', 'TPM', 'PCI', 'SCSI']);
  const words = procedure.name.slice(PREFIX.length).split('_');
  return 'vir' + words.map((w) => (ACRONYMS.has(w) ? w : w[0] + w.slice(1).toLowerCase())).join('');
}

function unsupportedDomain(name: string): ErrorDomain {
  if (name.includes('NETWORK')) return ErrorDomain.VIR_FROM_NETWORK;
  if (name.includes('STORAGE')) return ErrorDomain.VIR_FROM_STORAGE;
  return ErrorDomain.VIR_FROM_DOMAIN;
}

function notOpen(name: string) {
  // libvirtd's words: the hypervisor connection is the one CONNECT_OPEN makes; the secondary ones
  // (network, storage) are opened from its URI.
  const detail = /NETWORK|STORAGE/.test(name) ? 'connection not open' : 'hypervisor connection not open';
  return virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, detail);
}

/** Calls the entry point bound to `procedure` with the decoded `args`; resolves to the `_ret` value. */
export async function dispatchCall(procedure: RpcProcedure, args: any, conn: VirConnect | null): Promise<unknown> {
  const name = procedure.name.slice(PREFIX.length);
  const binding = BINDINGS[name];
  if (!conn) throw notOpen(name);
  if (!binding) throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, unsupportedDomain(name), publicName(procedure));
  const scope = new HandleScope(conn);
  try {
    const values: unknown[] = [];
    if (procedure.args) {
      const shape = procedure.args.shape;
      if (shape.kind !== 'struct') throw new Error(`${procedure.name}: args are not a struct`);
      for (const [field, codec] of shape.fields) {
        if (field === 'need_results') continue; // whether the caller wants the objects or only their count
        values.push(fromWire(codec, args[field], scope));
      }
    }
    const callArgs = binding.onConnection ? [conn, ...values] : values;
    let result = await binding.entry(...callArgs);
    if (binding.result) {
      const raw = result;
      result = await binding.result(raw, values, conn);
      releaseHandles(raw);
    }
    try {
      const ret = procedure.ret ? fillRet(procedure, result) : undefined;
      // need_results 0: the caller wants only the count (`ret`), as virConnectListAll*(conn, NULL, flags).
      if (args?.need_results === 0 && ret && typeof ret === 'object') {
        for (const [field, value] of Object.entries(ret)) if (Array.isArray(value)) (ret as Record<string, unknown>)[field] = [];
      }
      return ret;
    } finally {
      releaseHandles(result);
    }
  } finally {
    scope.release();
  }
}

/** The `_ret` struct from a result: one field takes the result whole; a list with a count takes both. */
function fillRet(procedure: RpcProcedure, result: any): unknown {
  const shape = procedure.ret!.shape;
  if (shape.kind !== 'struct') return toWire(procedure.ret!, result);
  const { fields } = shape;
  if (fields.length === 1) return { [fields[0][0]]: toWire(fields[0][1], result) };
  if (fields.length === 2 && fields[1][0] === 'ret' && Array.isArray(result)) {
    return { [fields[0][0]]: toWire(fields[0][1], result), ret: result.length };
  }
  return toWire(procedure.ret!, result);
}

/** Results that are handles (or lists of them) were made for this call: drop them once encoded. */
function releaseHandles(result: unknown): void {
  if (result instanceof VirObject) result.unref();
  else if (Array.isArray(result)) for (const r of result) if (r instanceof VirObject) r.unref();
}
