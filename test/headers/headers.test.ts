// The C headers in include/: what they declare, that they compile, that they match libvirt 9.0's ABI
// (Debian's /usr/include/libvirt, when installed) and that libvirt's example programs build against them.
import { existsSync, readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abiCallbacks, abiConstants, abiFunctions, abiOpaqueTypes, abiStructs, abiVariables } from '../../src/ffi/abi.generated.js';
import * as apiEnums from '../../src/ts/core/enums.generated.js';
import { ErrorDomain, ErrorLevel, ErrorNumber } from '../../src/ts/errors/codes.js';
import { isJobDeclaration, libvirtPart, loadAbiModel, redeclarationProbe, valueProbe, type AbiModel } from './abi-model.js';
import { compile, hasCc, hasCxx, hasNm, hasRealLibvirt, ourIncludeDir, realLibvirtDir, repoRoot, run, withoutComments } from './c-compiler.js';

const model: AbiModel = loadAbiModel();
const headerDir = join(ourIncludeDir, 'libvirt');
const exportsList = readFileSync(join(repoRoot, 'native', 'exports.generated.txt'), 'utf8');
const exported = exportsList.trimEnd().split('\n');
const C11 = ['-std=c11', '-Wall', '-Wextra', '-Werror', '-Wno-deprecated-declarations'];

/** The functions the project asked for, by area; all of them must be declared, and nothing else. */
const REQUIRED = {
  host: `virGetVersion virConnectGetLibVersion virConnectGetVersion virConnectOpen virConnectOpenReadOnly
    virConnectOpenAuth virConnectClose virConnectRef virConnectGetType virConnectGetURI virConnectGetHostname
    virConnectIsAlive virConnectIsSecure virConnectIsEncrypted virNodeGetInfo virConnectGetCapabilities
    virConnectGetMaxVcpus virInitialize virNodeGetSecurityModel virConnectSetKeepAlive virConnectRegisterCloseCallback
    virConnectUnregisterCloseCallback`,
  domain: `virConnectListAllDomains virConnectNumOfDomains virConnectListDomains virConnectNumOfDefinedDomains
    virConnectListDefinedDomains virDomainLookupByName virDomainLookupByID virDomainLookupByUUID
    virDomainLookupByUUIDString virDomainGetName virDomainGetID virDomainGetUUID virDomainGetUUIDString
    virDomainGetInfo virDomainGetState virDomainGetXMLDesc virDomainGetOSType virDomainGetMaxMemory
    virDomainGetConnect virDomainIsActive virDomainIsPersistent virDomainHasManagedSaveImage virDomainGetAutostart
    virDomainDefineXML virDomainDefineXMLFlags virDomainUndefine virDomainUndefineFlags virDomainCreate
    virDomainCreateWithFlags virDomainCreateXML virDomainCreateLinux virDomainDestroy virDomainDestroyFlags
    virDomainSuspend virDomainResume virDomainShutdown virDomainShutdownFlags virDomainReboot virDomainSave
    virDomainSaveFlags virDomainRestore virDomainRestoreFlags virDomainCoreDump virDomainCoreDumpWithFormat
    virDomainRef virDomainFree virDomainGetJobInfo virDomainAbortJob virDomainGetSecurityLabel
    virConnectDomainEventRegisterAny virConnectDomainEventDeregisterAny`,
  events: `virEventRegisterImpl virEventRegisterDefaultImpl virEventRunDefaultImpl virEventAddHandle virEventUpdateHandle
    virEventRemoveHandle virEventAddTimeout virEventUpdateTimeout virEventRemoveTimeout`,
  network: `virConnectListAllNetworks virConnectNumOfNetworks virConnectListNetworks virConnectNumOfDefinedNetworks
    virConnectListDefinedNetworks virNetworkLookupByName virNetworkLookupByUUID virNetworkLookupByUUIDString
    virNetworkGetName virNetworkGetUUID virNetworkGetUUIDString virNetworkGetXMLDesc virNetworkGetBridgeName
    virNetworkGetAutostart virNetworkSetAutostart virNetworkIsActive virNetworkIsPersistent virNetworkCreate
    virNetworkCreateXML virNetworkDefineXML virNetworkUndefine virNetworkDestroy virNetworkRef virNetworkFree
    virNetworkGetConnect`,
  storage: `virConnectListAllStoragePools virConnectNumOfStoragePools virConnectListStoragePools
    virConnectNumOfDefinedStoragePools virConnectListDefinedStoragePools virStoragePoolLookupByName
    virStoragePoolLookupByUUID virStoragePoolLookupByUUIDString virStoragePoolLookupByVolume virStoragePoolGetName
    virStoragePoolGetUUID virStoragePoolGetUUIDString virStoragePoolGetInfo virStoragePoolGetXMLDesc
    virStoragePoolGetAutostart virStoragePoolIsActive virStoragePoolIsPersistent virStoragePoolDefineXML
    virStoragePoolCreateXML virStoragePoolBuild virStoragePoolCreate virStoragePoolDestroy virStoragePoolUndefine
    virStoragePoolRefresh virStoragePoolDelete virStoragePoolListAllVolumes virStoragePoolNumOfVolumes
    virStoragePoolListVolumes virStoragePoolRef virStoragePoolFree virStoragePoolGetConnect virStorageVolLookupByName
    virStorageVolLookupByKey virStorageVolLookupByPath virStorageVolGetName virStorageVolGetKey virStorageVolGetPath
    virStorageVolGetInfo virStorageVolGetXMLDesc virStorageVolCreateXML virStorageVolCreateXMLFrom
    virStorageVolDelete virStorageVolWipe virStorageVolWipePattern virStorageVolResize virStorageVolRef
    virStorageVolFree virStorageVolGetConnect virStorageVolUpload virStorageVolDownload`,
  streams: `virStreamNew virStreamRef virStreamSend virStreamRecv virStreamSendAll virStreamRecvAll virStreamFinish
    virStreamAbort virStreamFree virStreamRecvFlags virStreamSendHole virStreamRecvHole virStreamSparseSendAll
    virStreamSparseRecvAll`,
  errors: `virGetLastError virGetLastErrorCode virGetLastErrorDomain virGetLastErrorMessage virResetLastError
    virCopyLastError virSaveLastError virFreeError virResetError virSetErrorFunc virConnGetLastError
    virConnResetLastError virConnCopyLastError virConnSetErrorFunc virDefaultErrorFunc`,
};

/** tsvirt's job API, with the exact prototypes it was specified with. */
const JOB_PROTOTYPES = `
virJobPtr virDomainCreateLinuxJob(virConnectPtr conn, const char *xmlDesc, unsigned int flags);
virJobPtr virDomainCreateXMLJob(virConnectPtr conn, const char *xmlDesc, unsigned int flags);
virJobPtr virDomainCreateJob(virDomainPtr domain, unsigned int flags);
virJobPtr virDomainSaveJob(virDomainPtr domain, const char *to, unsigned int flags);
virJobPtr virDomainRestoreJob(virConnectPtr conn, const char *from, unsigned int flags);
virJobPtr virDomainCoreDumpJob(virDomainPtr domain, const char *to, unsigned int dumpflags, unsigned int flags);
virJobPtr virNetworkCreateJob(virNetworkPtr network, unsigned int flags);
virJobPtr virNetworkCreateXMLJob(virConnectPtr conn, const char *xmlDesc, unsigned int flags);
virJobPtr virStorageVolCreateXMLJob(virStoragePoolPtr pool, const char *xmlDesc, unsigned int createflags, unsigned int flags);
virJobPtr virStorageVolCreateXMLFromJob(virStoragePoolPtr pool, const char *xmlDesc, virStorageVolPtr clonevol,
                                        unsigned int createflags, unsigned int flags);
virJobPtr virStorageVolWipeJob(virStorageVolPtr vol, unsigned int algorithm, unsigned int flags);
int virJobGetInfo(virJobPtr job, virJobInfoPtr info);
int virJobCancel(virJobPtr job);
virErrorPtr virJobGetError(virJobPtr job);
int virJobRef(virJobPtr job);
int virJobFree(virJobPtr job);
virConnectPtr virJobGetConnect(virJobPtr job);
virDomainPtr virJobGetDomain(virJobPtr job);
virNetworkPtr virJobGetNetwork(virJobPtr job);
virStorageVolPtr virJobGetStorageVol(virJobPtr job);
const char *virJobGetOperation(virJobPtr job);
unsigned int virJobGetID(virJobPtr job);
virJobPtr virJobLookupByID(virConnectPtr conn, int id);
int virConnectListAllJobs(virConnectPtr conn, virJobPtr **jobs, unsigned int flags);
int virJobWait(virJobPtr job);
int virJobSetCallback(virJobPtr job, virJobCallback cb, void *opaque, virFreeCallback freecb);
`;

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);
const jobFunctionNames = [...JOB_PROTOTYPES.matchAll(/(\w+)\(/g)].map((m) => m[1]!);

describe('declarations', () => {
  it('declares exactly the requested functions', () => {
    const required = [...Object.values(REQUIRED).flatMap(words), ...jobFunctionNames].sort();
    expect(new Set(required).size).toBe(required.length);
    expect(model.functions.map((f) => f.name).sort()).toEqual(required);
  });

  it('exports every function and variable, sorted, once', () => {
    const symbols = [...model.functions, ...model.variables].map((s) => s.name).sort();
    expect(exported).toEqual(symbols);
    expect(exportsList.endsWith('\n')).toBe(true);
  });

  it('declares each exported name exactly once across the headers', () => {
    // Counted in the header text itself, independently of the generator's parser.
    const text = model.headers.map((h) => withoutComments(readFileSync(join(headerDir, h), 'utf8'))).join('\n');
    const counts = exported.map((name) => [name, text.match(new RegExp(`\\b${name}\\s*[(;]`, 'g'))?.length ?? 0] as const);
    expect(counts.filter(([, count]) => count !== 1)).toEqual([]);
  });

  it('has every header reachable from libvirt.h or virterror.h', () => {
    expect(readdirSync(headerDir).sort()).toEqual([...model.headers].sort());
  });

  it('has up-to-date generated files', () => {
    const result = run('node', ['scripts/gen-abi.mjs', '--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('gives koffi types that name only primitives and declared types', () => {
    const primitives = new Set(['void', 'char', 'int8_t', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int',
      'long', 'unsigned long', 'long long', 'unsigned long long', 'size_t', 'double']);
    const named = new Set<string>([...abiOpaqueTypes, ...Object.keys(abiStructs)]);
    const callbacks = new Set(Object.keys(abiCallbacks));
    const prototypes = [...Object.values(abiFunctions), ...Object.values(abiCallbacks)];
    const types = [
      ...prototypes.flatMap((p) => [p.result, ...p.parameters.map((x) => x.type)]),
      ...Object.values(abiStructs).flatMap((fields) => fields.map((f) => f.type)),
      ...Object.values(abiVariables),
    ];
    const wrong = types.filter((type) => {
      const match = /^(?:const )?([\w ]+?)(?:\[\d+\])?(?: (\*+))?$/.exec(type);
      if (!match) return true;
      const [, base, stars] = match;
      if (callbacks.has(base!)) return !stars; // a callback is only ever passed by pointer
      return !primitives.has(base!) && !named.has(base!);
    });
    expect(wrong).toEqual([]);
    expect(abiFunctions.virConnectListAllDomains.parameters.map((p) => p.type)).toEqual(['virConnect *', 'virDomain ***', 'unsigned int']);
    expect(abiFunctions.virConnectListDefinedDomains.parameters[1]).toEqual({ name: 'names', type: 'char **' });
    expect(abiFunctions.virJobSetCallback.parameters.map((p) => p.type)).toEqual(['virJob *', 'virJobCallback *', 'void *', 'virFreeCallback *']);
    expect(abiStructs.virNodeInfo[0]).toEqual({ name: 'model', type: 'char[32]' });
    expect(abiStructs.virError[3]).toEqual({ name: 'level', type: 'int' });
  });
});

describe.skipIf(!hasCc)('compiling the headers', () => {
  const bothHeaders = '#include <libvirt/libvirt.h>\n#include <libvirt/virterror.h>\nint main(void) { return 0; }\n';

  it.each([
    ['-std=c99'], ['-std=c11'], ['-std=gnu17'], ['-std=c11 -DVIR_ENUM_SENTINELS'],
  ])('compiles cleanly with %s -Wall -Wextra -Wpedantic -Werror', (std) => {
    const result = compile(bothHeaders, { headers: 'ours', flags: [...std.split(' '), '-Wall', '-Wextra', '-Wpedantic', '-Werror'] });
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('lets virterror.h be included first, on its own', () => {
    const result = compile('#include <libvirt/virterror.h>\nvirErrorPtr f(void) { return virGetLastError(); }\n', { headers: 'ours', flags: C11 });
    expect(result.output).toBe('');
  });

  it('refuses the sub-headers included directly', () => {
    const subHeaders = model.headers.filter((h) => h !== 'libvirt.h' && h !== 'virterror.h');
    expect(subHeaders.length).toBeGreaterThan(0);
    for (const header of subHeaders) {
      const result = compile(`#include <libvirt/${header}>\n`, { headers: 'ours', flags: C11 });
      expect(result.ok, header).toBe(false);
      expect(result.output, header).toContain("Don't include this file directly");
    }
  });

  it('hides every *_LAST sentinel unless VIR_ENUM_SENTINELS is defined', () => {
    const sentinels = model.enums.flatMap((e) => e.members.filter((m) => m.sentinel).map((m) => m.name));
    expect(sentinels).toContain('VIR_ERR_NUMBER_LAST');
    expect(sentinels).toContain('VIR_JOB_STATE_LAST');
    // Our own enum reusing every sentinel name clashes exactly when the headers declare them.
    const probe = `${bothHeaders}enum sentinel_names { ${sentinels.map((s) => `${s} = 1000`).join(', ')} };\n`;
    expect(compile(probe, { headers: 'ours', flags: C11 }).output).toBe('');
    const exposed = compile(probe, { headers: 'ours', flags: [...C11, '-DVIR_ENUM_SENTINELS'] });
    expect(exposed.ok).toBe(false);
    for (const s of sentinels) expect(exposed.output).toContain(`'${s}'`);
  });

  it('gives the values the generated TypeScript tables carry', () => {
    const result = compile(valueProbe(model), { headers: 'ours', flags: [...C11, '-DVIR_ENUM_SENTINELS'], output: 'run' });
    expect(result.ok, result.output).toBe(true);
    const printed = new Map([...result.stdout.matchAll(/^(\w+) = (-?\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    const enums: Record<string, number>[] = [...Object.values(apiEnums), ErrorLevel, ErrorDomain, ErrorNumber];
    const fromTables = [...enums.flatMap((members) => Object.entries(members)), ...Object.entries(abiConstants)];
    expect(fromTables.length).toBeGreaterThan(300);
    expect(fromTables.filter(([name, value]) => printed.get(name) !== value)).toEqual([]);
  });

  it.skipIf(!hasCxx || !hasNm)('declares C linkage for C++ programs', () => {
    const names = [...model.functions, ...model.variables].map((s) => s.name);
    const source = [
      '#include <libvirt/libvirt.h>',
      '#include <libvirt/virterror.h>',
      'typedef void (*any_function)();',
      `any_function functions[] = { ${model.functions.map((f) => `reinterpret_cast<any_function>(&${f.name})`).join(', ')} };`,
      `const void *variables[] = { ${model.variables.map((v) => `&${v.name}`).join(', ')} };`,
      '',
    ].join('\n');
    let undefinedSymbols: string[] = [];
    const result = compile(source, {
      headers: 'ours', language: 'c++', flags: ['-std=c++11', '-Wall', '-Wextra', '-Wpedantic', '-Werror'], output: 'object',
      inspectObject: (object) => {
        undefinedSymbols = run('nm', ['-u', object]).stdout.split('\n').map((l) => l.trim().split(/\s+/).at(-1)!).filter(Boolean);
      },
    });
    expect(result.output).toBe('');
    expect(undefinedSymbols.sort()).toEqual([...names].sort());
  });
});

describe.skipIf(!hasCc)('the job API', () => {
  const jobProbe = `#include <stddef.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

typedef struct _virJob virJob;
typedef virJob *virJobPtr;
typedef struct _virJobInfo virJobInfo;
typedef virJobInfo *virJobInfoPtr;
typedef void (*virJobCallback)(virJobPtr job, int state, void *opaque);
${JOB_PROTOTYPES}
_Static_assert(VIR_JOB_BOUNDED == 0 && VIR_JOB_UNBOUNDED == 1, "virJobType");
_Static_assert(VIR_JOB_RUNNING == 0 && VIR_JOB_COMPLETED == 1 && VIR_JOB_FAILED == 2 && VIR_JOB_CANCELLED == 3, "virJobState");
_Static_assert(VIR_CONNECT_LIST_JOBS_RUNNING == 1 && VIR_CONNECT_LIST_JOBS_FINISHED == 2, "virConnectListAllJobsFlags");
#ifdef VIR_ENUM_SENTINELS
_Static_assert(VIR_JOB_TYPE_LAST == 2 && VIR_JOB_STATE_LAST == 4, "sentinels");
#endif

struct expected_info {
    int type;
    int state;
    unsigned long long timeElapsed;
    unsigned long long timeRemaining;
    unsigned long long dataTotal;
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    int percentComplete;
};
_Static_assert(sizeof(virJobInfo) == sizeof(struct expected_info), "size");
#define SAME_FIELD(f) \\
    _Static_assert(offsetof(virJobInfo, f) == offsetof(struct expected_info, f), #f); \\
    _Static_assert(__builtin_types_compatible_p(__typeof__(((virJobInfo *)0)->f), __typeof__(((struct expected_info *)0)->f)), #f)
SAME_FIELD(type); SAME_FIELD(state); SAME_FIELD(timeElapsed); SAME_FIELD(timeRemaining); SAME_FIELD(dataTotal);
SAME_FIELD(dataProcessed); SAME_FIELD(dataRemaining); SAME_FIELD(percentComplete);
`;

  it('declares the specified functions, and only those, in libvirt-job.h', () => {
    expect(model.functions.filter(isJobDeclaration).map((f) => f.name).sort()).toEqual([...jobFunctionNames].sort());
  });

  it.each([[[]], [['-DVIR_ENUM_SENTINELS']]])('matches the specified prototypes, values and virJobInfo layout (%j)', (extra) => {
    const result = compile(jobProbe, { headers: 'ours', flags: [...C11, ...extra] });
    expect(result.output).toBe('');
  });

  it('would notice a prototype that differs', () => {
    const changed = jobProbe.replace('int virJobWait(virJobPtr job);', 'void virJobWait(virJobPtr job);');
    expect(changed).not.toBe(jobProbe);
    const result = compile(changed, { headers: 'ours', flags: C11 });
    expect(result.ok).toBe(false);
    expect(result.output).toContain("conflicting types for 'virJobWait'");
  });
});

describe.skipIf(!hasCc || !hasRealLibvirt)('against libvirt 9.0', () => {
  const common = libvirtPart(model);

  it('has the same enum values, macros, struct sizes and field offsets, sizes and kinds', () => {
    const flags = [...C11, '-DVIR_ENUM_SENTINELS'];
    const ours = compile(valueProbe(common), { headers: 'ours', flags, output: 'run' });
    const theirs = compile(valueProbe(common), { headers: 'real', flags, output: 'run' });
    expect(theirs.ok, theirs.output).toBe(true);
    expect(ours.ok, ours.output).toBe(true);
    expect(ours.stdout.split('\n')).toEqual(theirs.stdout.split('\n'));
  });

  it('has the same typedefs, prototypes, callbacks and struct field types', () => {
    const result = compile(redeclarationProbe(common), { headers: 'real', flags: C11 });
    expect(result.output).toBe('');
  });

  it('would notice a prototype or a field type that differs', () => {
    const getId = common.functions.find((f) => f.name === 'virDomainGetID')!;
    const wrongResult = { ...common, functions: [{ ...getId, result: { c: 'int', koffi: 'int' } }] };
    expect(compile(redeclarationProbe(wrongResult), { headers: 'real', flags: C11 }).output).toContain("conflicting types for 'virDomainGetID'");
    const info = common.structs.find((s) => s.name === 'virDomainInfo')!;
    const signedMemory = { ...info, fields: info.fields.map((f) => (f.name === 'memory' ? { ...f, c: 'long' } : f)) };
    expect(compile(redeclarationProbe({ ...common, structs: [signedMemory] }), { headers: 'real', flags: C11 }).output)
      .toContain('type of virDomainInfo.memory');
  });

  it('declares each enum with all of libvirt’s members', () => {
    const real = new Map<string, string[]>();
    for (const file of readdirSync(realLibvirtDir).filter((f) => f.endsWith('.h'))) {
      const text = withoutComments(readFileSync(join(realLibvirtDir, file), 'utf8'));
      for (const m of text.matchAll(/typedef\s+enum\s*\{([^}]*)\}\s*(\w+)\s*;/g)) {
        const body = m[1]!.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
        real.set(m[2]!, body.split(',').map((member) => /^\s*(\w+)/.exec(member)?.[1]).filter((n): n is string => n !== undefined));
      }
    }
    expect(real.get('virErrorNumber')).toContain('VIR_ERR_MULTIPLE_DOMAINS');
    const differing = common.enums
      .map((e) => ({ name: e.name, ours: e.members.map((m) => m.name), theirs: real.get(e.name) }))
      .filter((e) => JSON.stringify(e.ours) !== JSON.stringify(e.theirs));
    expect(differing).toEqual([]);
  });
});

/** How each example program of libvirt-doc 9.0 relates to what tsvirt implements. */
const SUPPORTED_EXAMPLES = ['domain/info1.c', 'domain/suspend.c', 'misc/hellolibvirt.c', 'misc/openauth.c'];
const UNSUPPORTED_EXAMPLES: Record<string, { reason: string; missing: string }> = {
  'domain/dommigrate.c': { reason: 'migration is not implemented', missing: 'virDomainMigrateToURI' },
  'domain/domtop.c': { reason: 'typed parameters and CPU statistics are not implemented', missing: 'virTypedParameterPtr' },
  'domain/rename.c': { reason: 'renaming is not implemented', missing: 'virDomainRename' },
  'misc/event-test.c': {
    reason: 'only domain lifecycle events are declared: not the other events and their callbacks',
    missing: 'virDomainEventShutdownDetailType',
  },
};
/** libvirt-admin is a separate library (daemon administration) that tsvirt does not provide. */
const isAdminExample = (path: string): boolean => path.startsWith('admin/');

describe.skipIf(!hasCc)('libvirt example programs', () => {
  let examplesDir: string | undefined;
  let examples: string[] = [];
  let fetchFailure = '';

  beforeAll(() => {
    const dest = mkdtempSync(join(tmpdir(), 'tsvirt-examples-'));
    const result = run('sh', ['scripts/fetch-libvirt-examples.sh', dest]);
    if (result.status === 2) {
      rmSync(dest, { recursive: true, force: true });
      return; // no package to be had here: the tests below skip
    }
    if (result.status !== 0) fetchFailure = result.stderr || `exit status ${result.status}`;
    examplesDir = dest;
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    examples = walk(dest).filter((f) => f.endsWith('.c')).map((f) => relative(dest, f)).sort();
  }, 180_000);

  afterAll(() => {
    if (examplesDir) rmSync(examplesDir, { recursive: true, force: true });
  });

  const strict = ['-Wall', '-Wextra', '-Werror'];

  it('knows every example in the package', (context) => {
    if (!examplesDir) context.skip();
    expect(fetchFailure).toBe('');
    const unknown = examples.filter((e) => !SUPPORTED_EXAMPLES.includes(e) && !(e in UNSUPPORTED_EXAMPLES) && !isAdminExample(e));
    expect(unknown).toEqual([]);
    expect(examples).toEqual(expect.arrayContaining([...SUPPORTED_EXAMPLES, ...Object.keys(UNSUPPORTED_EXAMPLES)]));
  });

  it.for(SUPPORTED_EXAMPLES)('compiles %s unchanged, without a warning', (example, context) => {
    if (!examplesDir) context.skip();
    const source = readFileSync(join(examplesDir!, example), 'utf8');
    if (hasRealLibvirt) {
      // The same flags must suit libvirt's own headers, or a failure below would prove nothing.
      expect(compile(source, { headers: 'real', flags: strict }).output).toBe('');
    }
    expect(compile(source, { headers: 'ours', flags: strict }).output).toBe('');
  });

  const unsupported = Object.entries(UNSUPPORTED_EXAMPLES).map(([example, { reason, missing }]) => [example, reason, missing] as const);
  it.for(unsupported)('does not compile %s: %s', ([example, , missing], context) => {
    if (!examplesDir) context.skip();
    const source = readFileSync(join(examplesDir!, example), 'utf8');
    const flags = ['-Werror=implicit-function-declaration'];
    if (hasRealLibvirt) expect(compile(source, { headers: 'real', flags }).output).toBe('');
    const result = compile(source, { headers: 'ours', flags });
    expect(result.ok).toBe(false);
    expect(result.output).toContain(missing);
  });

  it('does not provide libvirt-admin.h for the admin examples', (context) => {
    if (!examplesDir) context.skip();
    expect(examples.filter(isAdminExample).length).toBeGreaterThan(0);
    expect(existsSync(join(headerDir, 'libvirt-admin.h'))).toBe(false);
  });
});
