import type { Domain, Job } from '../../index.js';
import {
  virDomainCoreDumpFlags as Dump,
  virDomainCoreDumpFormat as DumpFormat,
  virDomainCreateFlags as Start,
  virDomainDestroyFlagsValues as Destroy,
  virDomainJobType,
  virDomainSaveRestoreFlags as Save,
  virDomainShutdownFlagValues as Shutdown,
  virDomainUndefineFlagsValues as Undefine,
  virDomainXMLFlags as XML,
} from '../../core/enums.generated.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import { bool, data, REQ_OPT, string, type CommandDef, type ParsedCommand } from '../command-def.js';
import { runConsole } from '../console.js';
import { readXmlFile } from '../files.js';
import { formatCapacity, padEnd } from '../format.js';
import { BY_ID, BY_NAME, BY_UUID, optDomain } from '../lookup.js';
import { exclusive, flagsFrom, optRequired, optString, requires } from '../options.js';
import { CommandFailed, type Session } from '../session.js';
import { dumpXml } from '../xml-output.js';
import { removeDomainStorage, type StorageRemoval } from './undefine-storage.js';

/** The Domain Management commands, in `virsh help domain` order. */

const DOMAIN = data('domain', 'domain name, id or uuid');

/** virshFetchPassFdsList: `N,M,...`; an empty option means none. */
function passFds(s: Session, cmd: ParsedCommand): number[] {
  const text = cmd.value('pass-fds');
  if (!text) return [];
  return text.split(',').map((part) => {
    if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(part) || Math.abs(Number(part)) >= 2 ** 31) {
      s.error(`Unable to parse FD number '${part}'`);
      throw new CommandFailed();
    }
    return Number(part);
  });
}

/**
 * Handing file descriptors to a guest needs virDomainCreateWithFiles / virDomainCreateXMLWithFiles, which
 * tsvirt's API does not have: report it as libvirt reports a missing driver function.
 */
function noFileDescriptors(fn: string): never {
  throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, fn);
}

async function cmdCreate(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const from = optRequired(s, cmd, 'file');
  const xml = await readXmlFile(from);
  const fds = passFds(s, cmd);
  const flags = flagsFrom(cmd, {
    paused: Start.VIR_DOMAIN_START_PAUSED,
    autodestroy: Start.VIR_DOMAIN_START_AUTODESTROY,
    validate: Start.VIR_DOMAIN_START_VALIDATE,
    'reset-nvram': Start.VIR_DOMAIN_START_RESET_NVRAM,
  });
  let dom: Domain;
  try {
    if (fds.length) noFileDescriptors('virDomainCreateXMLWithFiles');
    dom = s.keep(await s.waitForJob(s.connection.createDomain(xml, { flags })));
  } catch (err) {
    throw s.fail(err, `Failed to create domain from ${from}`);
  }
  s.printExtra(`Domain '${dom.name}' created from ${from}\n`);
  return cmd.has('console') ? runConsole(s, dom) : true;
}

async function cmdDefine(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const from = optRequired(s, cmd, 'file');
  const flags = cmd.has('validate') ? 1 : 0;
  const xml = await readXmlFile(from);
  let dom: Domain;
  try {
    dom = s.keep(await s.connection.defineDomain(xml, flags));
  } catch (err) {
    throw s.fail(err, `Failed to define domain from ${from}`);
  }
  s.printExtra(`Domain '${dom.name}' defined from ${from}\n`);
  return true;
}

async function cmdDestroy(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom, key } = await optDomain(s, cmd);
  const flags = flagsFrom(cmd, { graceful: Destroy.VIR_DOMAIN_DESTROY_GRACEFUL, 'remove-logs': Destroy.VIR_DOMAIN_DESTROY_REMOVE_LOGS });
  try {
    await dom.destroy(flags);
  } catch (err) {
    throw s.fail(err, `Failed to destroy domain '${key}'`);
  }
  s.printExtra(`Domain '${key}' destroyed\n`);
  return true;
}

async function cmdDomid(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd, BY_NAME | BY_UUID);
  s.print(dom.id === -1 ? '-\n' : `${dom.id}\n`);
  return true;
}

async function cmdDomjobabort(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd);
  // Aborting a post-copy migration needs virDomainAbortJobFlags, which tsvirt's API does not have.
  if (cmd.has('postcopy')) throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, 'virDomainAbortJobFlags');
  await dom.abortJob();
  return true;
}

const JOB_TYPES = ['None', 'Bounded', 'Unbounded', 'Completed', 'Failed', 'Cancelled'];
const JOB_OPERATIONS = [
  'Unknown',
  'Start',
  'Save',
  'Restore',
  'Incoming migration',
  'Outgoing migration',
  'Snapshot',
  'Snapshot revert',
  'Dump',
  'Backup',
  'Snapshot delete',
];

async function cmdDomjobinfo(s: Session, cmd: ParsedCommand): Promise<boolean> {
  requires(s, cmd, 'keep-completed', 'completed');
  const { dom } = await optDomain(s, cmd);
  // virsh asks for the detailed statistics first (virDomainGetJobStats); tsvirt offers only
  // virDomainGetJobInfo, so what needs the detailed call is refused as virsh refuses it then.
  if (cmd.has('completed') || cmd.has('keep-completed') || cmd.has('rawstats')) {
    s.lastError = virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, 'virDomainGetJobStats');
    s.error('Optional flags or --rawstats are not supported by the daemon');
    return false;
  }
  const info = await dom.jobInfo();
  const row = (label: string, value: string) => s.print(`${padEnd(label, 17)} ${value}\n`);
  const sizes = (what: string, processed: number, remaining: number, total: number) => {
    if (!total && !remaining && !processed) return;
    row(`${what} processed:`, formatCapacity(processed, 3));
    row(`${what} remaining:`, formatCapacity(remaining, 3));
    row(`${what} total:`, formatCapacity(total, 3));
  };
  row('Job type:', padEnd(JOB_TYPES[info.type] ?? 'unknown', 12));
  if (info.type === virDomainJobType.VIR_DOMAIN_JOB_NONE) return true;
  row('Operation:', padEnd(JOB_OPERATIONS[info.operation] ?? 'unknown', 12));
  const live = info.type === virDomainJobType.VIR_DOMAIN_JOB_BOUNDED || info.type === virDomainJobType.VIR_DOMAIN_JOB_UNBOUNDED;
  if (!live && !cmd.has('anystats')) return true;
  row('Time elapsed:', `${padEnd(String(info.timeElapsed), 12)} ms`);
  if (info.type === virDomainJobType.VIR_DOMAIN_JOB_BOUNDED) row('Time remaining:', `${padEnd(String(info.timeRemaining), 12)} ms`);
  sizes('Data', info.dataProcessed, info.dataRemaining, info.dataTotal);
  sizes('Memory', info.memProcessed, info.memRemaining, info.memTotal);
  sizes('File', info.fileProcessed, info.fileRemaining, info.fileTotal);
  return true;
}

async function cmdDomname(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd, BY_ID | BY_UUID);
  s.print(`${dom.name}\n`);
  return true;
}

async function cmdDomuuid(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd, BY_ID | BY_NAME);
  s.print(`${dom.uuid}\n`);
  return true;
}

const DUMP_FORMATS: Record<string, number> = {
  'kdump-zlib': DumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
  'kdump-lzo': DumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
  'kdump-snappy': DumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY,
  'win-dmp': DumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP,
  elf: DumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
};

async function cmdDump(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom, key } = await optDomain(s, cmd);
  const to = optRequired(s, cmd, 'file');
  exclusive(s, cmd, 'verbose', 'async');
  const flags = flagsFrom(cmd, {
    live: Dump.VIR_DUMP_LIVE,
    crash: Dump.VIR_DUMP_CRASH,
    'bypass-cache': Dump.VIR_DUMP_BYPASS_CACHE,
    reset: Dump.VIR_DUMP_RESET,
    'memory-only': Dump.VIR_DUMP_MEMORY_ONLY,
  });
  let format: number = DumpFormat.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW;
  if (cmd.has('format')) {
    if (!(flags & Dump.VIR_DUMP_MEMORY_ONLY)) {
      s.error('--format only works with --memory-only');
      return false;
    }
    const name = optRequired(s, cmd, 'format');
    const known = DUMP_FORMATS[name];
    if (known === undefined) {
      s.error(`format '${name}' is not supported, expecting 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp' or 'elf'`);
      return false;
    }
    format = known;
  }
  const failure = `Failed to core dump domain '${key}' to ${to}`;
  const success = `\nDomain '${key}' dumped to ${to}\n`;
  try {
    const job = dom.coreDump(to, { flags, format });
    if (cmd.has('async')) return background(s, job, `Domain '${key}' is being dumped to ${to}\n`, success, failure);
    await s.waitForJob(job, cmd.has('verbose') ? { label: 'Dump' } : undefined);
  } catch (err) {
    throw s.fail(err, failure);
  }
  s.printExtra(success);
  return true;
}

/** `--async`: the job goes on in the background and the shell reports its end later. */
function background(s: Session, job: Job<unknown>, started: string, success: string, failure: string): boolean {
  s.startBackground(job, success, failure);
  s.printExtra(started);
  return true;
}

async function cmdDumpxml(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const flags = flagsFrom(cmd, {
    inactive: XML.VIR_DOMAIN_XML_INACTIVE,
    'security-info': XML.VIR_DOMAIN_XML_SECURE,
    'update-cpu': XML.VIR_DOMAIN_XML_UPDATE_CPU,
    migratable: XML.VIR_DOMAIN_XML_MIGRATABLE,
  });
  const { dom } = await optDomain(s, cmd);
  return dumpXml(s, cmd, () => dom.xml(flags));
}

const MODES: Record<string, number> = {
  acpi: Shutdown.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
  agent: Shutdown.VIR_DOMAIN_SHUTDOWN_GUEST_AGENT,
  initctl: Shutdown.VIR_DOMAIN_SHUTDOWN_INITCTL,
  signal: Shutdown.VIR_DOMAIN_SHUTDOWN_SIGNAL,
  paravirt: Shutdown.VIR_DOMAIN_SHUTDOWN_PARAVIRT,
};

/** `--mode acpi,agent`: shutdown and reboot share the names and the flag values. */
function modeFlags(s: Session, cmd: ParsedCommand): number {
  const text = optString(s, cmd, 'mode');
  if (text === undefined) return 0;
  let flags = 0;
  for (const mode of text.split(',')) {
    const flag = MODES[mode];
    if (flag === undefined) {
      s.error(`Unknown mode ${mode} value, expecting 'acpi', 'agent', 'initctl', 'signal' or 'paravirt'`);
      throw new CommandFailed();
    }
    flags |= flag;
  }
  return flags;
}

async function cmdReboot(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const flags = modeFlags(s, cmd);
  const { dom, key } = await optDomain(s, cmd);
  try {
    await dom.reboot(flags);
  } catch (err) {
    throw s.fail(err, `Failed to reboot domain '${key}'`);
  }
  s.printExtra(`Domain '${key}' is being rebooted\n`);
  return true;
}

const SAVE_FLAGS = {
  'bypass-cache': Save.VIR_DOMAIN_SAVE_BYPASS_CACHE,
  running: Save.VIR_DOMAIN_SAVE_RUNNING,
  paused: Save.VIR_DOMAIN_SAVE_PAUSED,
};

async function cmdRestore(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const from = optRequired(s, cmd, 'file');
  exclusive(s, cmd, 'verbose', 'async');
  const flags = flagsFrom(cmd, { ...SAVE_FLAGS, 'reset-nvram': Save.VIR_DOMAIN_SAVE_RESET_NVRAM });
  const xmlFile = optString(s, cmd, 'xml');
  const xml = xmlFile === undefined ? undefined : await readXmlFile(xmlFile);
  const failure = `Failed to restore domain from ${from}`;
  const success = `Domain restored from ${from}\n`;
  try {
    const job = s.connection.restore(from, { flags, xml });
    if (cmd.has('async')) return background(s, job, `Domain is being restored from ${from}\n`, success, failure);
    s.keep(await s.waitForJob(job, cmd.has('verbose') ? { label: 'Restore', endLine: true } : undefined));
  } catch (err) {
    throw s.fail(err, failure);
  }
  s.printExtra(success);
  return true;
}

async function cmdResume(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom, key } = await optDomain(s, cmd);
  try {
    await dom.resume();
  } catch (err) {
    throw s.fail(err, `Failed to resume domain '${key}'`);
  }
  s.printExtra(`Domain '${key}' resumed\n`);
  return true;
}

async function cmdSave(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom, key } = await optDomain(s, cmd);
  const to = optRequired(s, cmd, 'file');
  exclusive(s, cmd, 'verbose', 'async');
  const flags = flagsFrom(cmd, SAVE_FLAGS);
  const xmlFile = optString(s, cmd, 'xml');
  const xml = xmlFile === undefined ? undefined : await readXmlFile(xmlFile);
  const failure = `Failed to save domain '${key}' to ${to}`;
  const success = `\nDomain '${key}' saved to ${to}\n`;
  try {
    const job = dom.save(to, { flags, xml });
    if (cmd.has('async')) return background(s, job, `Domain '${key}' is being saved to ${to}\n`, success, failure);
    await s.waitForJob(job, cmd.has('verbose') ? { label: 'Save' } : undefined);
  } catch (err) {
    throw s.fail(err, failure);
  }
  s.printExtra(success);
  return true;
}

async function cmdShutdown(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const flags = modeFlags(s, cmd);
  const { dom, key } = await optDomain(s, cmd);
  try {
    await dom.shutdown(flags);
  } catch (err) {
    throw s.fail(err, `Failed to shutdown domain '${key}'`);
  }
  s.printExtra(`Domain '${key}' is being shutdown\n`);
  return true;
}

async function cmdStart(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd, BY_NAME | BY_UUID);
  if (dom.id !== -1) {
    s.error('Domain is already active');
    return false;
  }
  const fds = passFds(s, cmd);
  const flags = flagsFrom(cmd, {
    paused: Start.VIR_DOMAIN_START_PAUSED,
    autodestroy: Start.VIR_DOMAIN_START_AUTODESTROY,
    'bypass-cache': Start.VIR_DOMAIN_START_BYPASS_CACHE,
    'force-boot': Start.VIR_DOMAIN_START_FORCE_BOOT,
    'reset-nvram': Start.VIR_DOMAIN_START_RESET_NVRAM,
  });
  try {
    if (fds.length) noFileDescriptors('virDomainCreateWithFiles');
    await startDomain(s, dom, flags);
  } catch (err) {
    throw s.fail(err, `Failed to start domain '${dom.name}'`);
  }
  s.printExtra(`Domain '${dom.name}' started\n`);
  return cmd.has('console') ? runConsole(s, dom) : true;
}

/**
 * Starts the domain. A driver that refuses --force-boot gets virsh's emulation: drop any managed save
 * image (the only thing forcing a fresh boot changes) and start without the flag.
 */
async function startDomain(s: Session, dom: Domain, flags: number): Promise<void> {
  const force = Start.VIR_DOMAIN_START_FORCE_BOOT;
  try {
    await s.waitForJob(dom.start({ flags }));
    return;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (!(flags & force) || (code !== ErrorNumber.VIR_ERR_NO_SUPPORT && code !== ErrorNumber.VIR_ERR_INVALID_ARG)) throw err;
  }
  let saved = false;
  try {
    saved = await dom.hasManagedSaveImage();
  } catch {
    // No managed save image to remove.
  }
  // tsvirt has no virDomainManagedSaveRemove: an image that exists cannot be dropped, as libvirt would fail.
  if (saved) throw virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, 'virDomainManagedSaveRemove');
  await s.waitForJob(dom.start({ flags: flags & ~force }));
}

async function cmdSuspend(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom, key } = await optDomain(s, cmd);
  try {
    await dom.suspend();
  } catch (err) {
    throw s.fail(err, `Failed to suspend domain '${key}'`);
  }
  s.printExtra(`Domain '${key}' suspended\n`);
  return true;
}

async function cmdUndefine(s: Session, cmd: ParsedCommand): Promise<boolean> {
  exclusive(s, cmd, 'nvram', 'keep-nvram');
  exclusive(s, cmd, 'tpm', 'keep-tpm');
  requires(s, cmd, 'delete-storage-volume-snapshots', 'remove-all-storage');
  const removeAll = cmd.has('remove-all-storage');
  const volumes = cmd.value('storage') || undefined;
  if (cmd.has('wipe-storage') && !volumes && !removeAll) {
    s.error("'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'");
    return false;
  }
  const flags = flagsFrom(cmd, {
    'managed-save': Undefine.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
    'snapshots-metadata': Undefine.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
    'checkpoints-metadata': Undefine.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
    nvram: Undefine.VIR_DOMAIN_UNDEFINE_NVRAM,
    'keep-nvram': Undefine.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM,
    tpm: Undefine.VIR_DOMAIN_UNDEFINE_TPM,
    'keep-tpm': Undefine.VIR_DOMAIN_UNDEFINE_KEEP_TPM,
  });
  const { dom, key } = await optDomain(s, cmd);
  // The volumes to remove are read from the definition before it goes away.
  const removal: StorageRemoval | null =
    volumes || removeAll
      ? { list: volumes, all: removeAll, wipe: cmd.has('wipe-storage'), deleteSnapshots: cmd.has('delete-storage-volume-snapshots') }
      : null;
  const plan = removal ? await removeDomainStorage.plan(s, dom, removal) : null;
  try {
    await dom.undefine(flags);
  } catch (err) {
    throw s.fail(err, `Failed to undefine domain '${key}'`);
  }
  s.printExtra(`Domain '${key}' has been undefined\n`);
  return plan ? removeDomainStorage.run(s, plan) : true;
}

export const domainCommands: readonly CommandDef[] = [
  {
    name: 'create',
    group: 'domain',
    help: 'create a domain from an XML file',
    desc: 'Create a domain.',
    opts: [
      data('file', 'file containing an XML domain description'),
      bool('console', 'attach to console after creation'),
      bool('paused', 'leave the guest paused after creation'),
      bool('autodestroy', 'automatically destroy the guest when virsh disconnects'),
      string('pass-fds', 'pass file descriptors N,M,... to the guest'),
      bool('validate', 'validate the XML against the schema'),
      bool('reset-nvram', 're-initialize NVRAM from its pristine template'),
    ],
    run: cmdCreate,
  },
  {
    name: 'define',
    group: 'domain',
    help: "define (but don't start) a domain from an XML file",
    desc: 'Define a domain.',
    opts: [data('file', 'file containing an XML domain description'), bool('validate', 'validate the XML against the schema')],
    run: cmdDefine,
  },
  {
    name: 'destroy',
    group: 'domain',
    help: 'destroy (stop) a domain',
    desc: 'Forcefully stop a given domain, but leave its resources intact.',
    opts: [DOMAIN, bool('graceful', 'terminate gracefully'), bool('remove-logs', 'remove domain logs')],
    run: cmdDestroy,
  },
  {
    name: 'domid',
    group: 'domain',
    help: 'convert a domain name or UUID to domain id',
    opts: [data('domain', 'domain name or uuid')],
    run: cmdDomid,
  },
  {
    name: 'domjobabort',
    group: 'domain',
    help: 'abort active domain job',
    desc: 'Aborts the currently running domain job',
    opts: [DOMAIN, bool('postcopy', 'interrupt post-copy migration')],
    run: cmdDomjobabort,
  },
  {
    name: 'domjobinfo',
    group: 'domain',
    help: 'domain job information',
    desc: 'Returns information about jobs running on a domain.',
    opts: [
      DOMAIN,
      bool('completed', 'return statistics of a recently completed job'),
      bool('keep-completed', "don't destroy statistics of a recently completed job when reading"),
      bool('anystats', 'print statistics for any kind of job (even failed ones)'),
      bool('rawstats', 'print the raw data returned by libvirt'),
    ],
    run: cmdDomjobinfo,
  },
  {
    name: 'domname',
    group: 'domain',
    help: 'convert a domain id or UUID to domain name',
    opts: [data('domain', 'domain id or uuid')],
    run: cmdDomname,
  },
  {
    name: 'domuuid',
    group: 'domain',
    help: 'convert a domain name or id to domain UUID',
    opts: [data('domain', 'domain id or name')],
    run: cmdDomuuid,
  },
  {
    name: 'dump',
    group: 'domain',
    help: 'dump the core of a domain to a file for analysis',
    desc: 'Core dump a domain.',
    opts: [
      DOMAIN,
      data('file', 'where to dump the core'),
      bool('live', 'perform a live core dump if supported'),
      bool('crash', 'crash the domain after core dump'),
      bool('bypass-cache', 'avoid file system cache when dumping'),
      bool('reset', 'reset the domain after core dump'),
      bool('verbose', 'display the progress of dump'),
      bool('memory-only', "dump domain's memory only"),
      string('format', 'specify the format of memory-only dump'),
      bool('async', 'run the dump in the background (tsvirt extension; see domjobinfo, domjobabort)'),
    ],
    run: cmdDump,
  },
  {
    name: 'dumpxml',
    group: 'domain',
    help: 'domain information in XML',
    desc: 'Output the domain information as an XML dump to stdout.',
    opts: [
      DOMAIN,
      bool('inactive', 'show inactive defined XML'),
      bool('security-info', 'include security sensitive information in XML dump'),
      bool('update-cpu', 'update guest CPU according to host CPU'),
      bool('migratable', 'provide XML suitable for migrations'),
      string('xpath', 'xpath expression to filter the XML document', REQ_OPT),
      bool('wrap', 'wrap xpath results in an common root element'),
    ],
    run: cmdDumpxml,
  },
  {
    name: 'reboot',
    group: 'domain',
    help: 'reboot a domain',
    desc: 'Run a reboot command in the target domain.',
    opts: [DOMAIN, string('mode', 'shutdown mode: acpi|agent|initctl|signal|paravirt')],
    run: cmdReboot,
  },
  {
    name: 'restore',
    group: 'domain',
    help: 'restore a domain from a saved state in a file',
    desc: 'Restore a domain.',
    opts: [
      data('file', 'the state to restore'),
      bool('bypass-cache', 'avoid file system cache when restoring'),
      string('xml', 'filename containing updated XML for the target'),
      bool('running', 'restore domain into running state'),
      bool('paused', 'restore domain into paused state'),
      bool('reset-nvram', 're-initialize NVRAM from its pristine template'),
      bool('verbose', 'display the progress of restore (tsvirt extension)'),
      bool('async', 'run the restore in the background (tsvirt extension)'),
    ],
    run: cmdRestore,
  },
  {
    name: 'resume',
    group: 'domain',
    help: 'resume a domain',
    desc: 'Resume a previously suspended domain.',
    opts: [DOMAIN],
    run: cmdResume,
  },
  {
    name: 'save',
    group: 'domain',
    help: 'save a domain state to a file',
    desc: 'Save the RAM state of a running domain.',
    opts: [
      DOMAIN,
      data('file', 'where to save the data'),
      bool('bypass-cache', 'avoid file system cache when saving'),
      string('xml', 'filename containing updated XML for the target'),
      bool('running', 'set domain to be running on restore'),
      bool('paused', 'set domain to be paused on restore'),
      bool('verbose', 'display the progress of save'),
      bool('async', 'run the save in the background (tsvirt extension; see domjobinfo, domjobabort)'),
    ],
    run: cmdSave,
  },
  {
    name: 'shutdown',
    group: 'domain',
    help: 'gracefully shutdown a domain',
    desc: 'Run shutdown in the target domain.',
    opts: [DOMAIN, string('mode', 'shutdown mode: acpi|agent|initctl|signal|paravirt')],
    run: cmdShutdown,
  },
  {
    name: 'start',
    group: 'domain',
    help: 'start a (previously defined) inactive domain',
    desc: 'Start a domain, either from the last managedsave\n    state, or via a fresh boot if no managedsave state\n    is present.',
    opts: [
      data('domain', 'name of the inactive domain'),
      bool('console', 'attach to console after creation'),
      bool('paused', 'leave the guest paused after creation'),
      bool('autodestroy', 'automatically destroy the guest when virsh disconnects'),
      bool('bypass-cache', 'avoid file system cache when loading'),
      bool('force-boot', 'force fresh boot by discarding any managed save'),
      string('pass-fds', 'pass file descriptors N,M,... to the guest'),
      bool('reset-nvram', 're-initialize NVRAM from its pristine template'),
    ],
    run: cmdStart,
  },
  {
    name: 'suspend',
    group: 'domain',
    help: 'suspend a domain',
    desc: 'Suspend a running domain.',
    opts: [DOMAIN],
    run: cmdSuspend,
  },
  {
    name: 'undefine',
    group: 'domain',
    help: 'undefine a domain',
    desc: 'Undefine an inactive domain, or convert persistent to transient.',
    opts: [
      DOMAIN,
      bool('managed-save', 'remove domain managed state file'),
      string('storage', 'remove associated storage volumes (comma separated list of targets or source paths) (see domblklist)'),
      bool('remove-all-storage', 'remove all associated storage volumes (use with caution)'),
      bool(
        'delete-storage-volume-snapshots',
        'delete snapshots associated with volume(s), requires --remove-all-storage (must be supported by storage driver)',
      ),
      bool('wipe-storage', 'wipe data on the removed volumes'),
      bool('snapshots-metadata', 'remove all domain snapshot metadata (vm must be inactive)'),
      bool('checkpoints-metadata', 'remove all domain checkpoint metadata (vm must be inactive)'),
      bool('nvram', 'remove nvram file'),
      bool('keep-nvram', 'keep nvram file'),
      bool('tpm', 'remove TPM state'),
      bool('keep-tpm', 'keep TPM state'),
    ],
    run: cmdUndefine,
  },
];
