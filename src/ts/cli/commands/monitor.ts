import type { Domain } from '../../index.js';
import { virConnectListAllDomainsFlags as List, virDomainState } from '../../core/enums.generated.js';
import { ErrorDomain } from '../../errors/index.js';
import { bool, data, type CommandDef, type ParsedCommand } from '../command-def.js';
import { compareIgnoringCase, formatTable, infoLine, toFixed } from '../format.js';
import { optDomain } from '../lookup.js';
import { exclusive } from '../options.js';
import type { Session } from '../session.js';

/** The Domain Monitoring commands: dominfo, domstate, list. */

const STATES = ['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'];

/** The words virsh uses for each state's reasons (virshDomainStateReasonToString), by state. */
const REASONS: readonly (readonly string[])[] = [
  ['unknown'],
  [
    'unknown',
    'booted',
    'migrated',
    'restored',
    'from snapshot',
    'unpaused',
    'migration canceled',
    'save canceled',
    'event wakeup',
    'crashed',
    'post-copy',
    'post-copy failed',
  ],
  ['unknown'],
  [
    'unknown',
    'user',
    'migrating',
    'saving',
    'dumping',
    'I/O error',
    'watchdog',
    'from snapshot',
    'shutting down',
    'creating snapshot',
    'crashed',
    'starting up',
    'post-copy',
    'post-copy failed',
    'api error',
  ],
  ['unknown', 'user'],
  ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  ['unknown', 'panicked'],
  ['unknown'],
];

export function stateName(state: number): string {
  return STATES[state] ?? 'no state';
}

function reasonName(state: number, reason: number): string {
  return REASONS[state]?.[reason] ?? 'unknown';
}

async function cmdDominfo(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd);
  // Like virsh, print what can be learnt; a query that fails leaves its line out (or says "unknown").
  const optional = async <T>(query: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await query();
    } catch (err) {
      s.keepError(err);
      return undefined;
    }
  };
  let ok = true;
  s.print(infoLine('Id:', dom.id === -1 ? '-' : dom.id));
  s.print(infoLine('Name:', dom.name));
  s.print(infoLine('UUID:', dom.uuid));
  const osType = await optional(() => dom.osType());
  if (osType !== undefined) s.print(infoLine('OS Type:', osType));
  const info = await optional(() => dom.info());
  if (info) {
    s.print(infoLine('State:', stateName(info.state)));
    s.print(infoLine('CPU(s):', info.nrVirtCpu));
    if (info.cpuTime !== 0n) s.print(infoLine('CPU time:', `${toFixed(Number(info.cpuTime) / 1e9, 1)}s`));
    s.print(infoLine('Max memory:', `${info.maxMem} KiB`));
    s.print(infoLine('Used memory:', `${info.memory} KiB`));
  } else {
    ok = false;
  }
  const persistent = await optional(() => dom.isPersistent());
  s.print(infoLine('Persistent:', persistent === undefined ? 'unknown' : persistent ? 'yes' : 'no'));
  const autostart = await optional(() => dom.autostart());
  if (autostart !== undefined) s.print(infoLine('Autostart:', autostart ? 'enable' : 'disable'));
  const managedSave = await optional(() => dom.hasManagedSaveImage());
  s.print(infoLine('Managed save:', managedSave === undefined ? 'unknown' : managedSave ? 'yes' : 'no'));
  let model;
  try {
    model = await s.connection.securityModel();
  } catch (err) {
    // A driver without security models simply has nothing more to show.
    if (!isNoSupport(err)) throw err;
    return ok;
  }
  if (model.model !== '') {
    s.print(infoLine('Security model:', model.model));
    s.print(infoLine('Security DOI:', model.doi));
    const label = await dom.securityLabel();
    if (label.label !== '') s.print(infoLine('Security label:', `${label.label} (${label.enforcing ? 'enforcing' : 'permissive'})`));
  }
  return ok;
}

/** VIR_ERR_NO_SUPPORT */
function isNoSupport(err: unknown): boolean {
  return (err as { code?: number }).code === 3;
}

async function cmdDomstate(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { dom } = await optDomain(s, cmd);
  const { state, reason } = await dom.state();
  s.print(cmd.has('reason') ? `${stateName(state)} (${reasonName(state, reason)})\n` : `${stateName(state)}\n`);
  return true;
}

/** virsh's order: running domains by id, then the others by name, ignoring case. */
function compareDomains(a: Domain, b: Domain): number {
  if (a.id !== -1 && b.id !== -1) return a.id - b.id;
  if (a.id !== -1) return -1;
  if (b.id !== -1) return 1;
  return compareIgnoringCase(a.name, b.name);
}

const LIST_FILTERS: Record<string, number> = {
  persistent: List.VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
  transient: List.VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
  'with-managed-save': List.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
  'without-managed-save': List.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
  autostart: List.VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
  'no-autostart': List.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
  'with-snapshot': List.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
  'without-snapshot': List.VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT,
  'with-checkpoint': List.VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
  'without-checkpoint': List.VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT,
  'state-running': List.VIR_CONNECT_LIST_DOMAINS_RUNNING,
  'state-paused': List.VIR_CONNECT_LIST_DOMAINS_PAUSED,
  'state-shutoff': List.VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
  'state-other': List.VIR_CONNECT_LIST_DOMAINS_OTHER,
};

async function cmdList(s: Session, cmd: ParsedCommand): Promise<boolean> {
  let flags: number = List.VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  if (cmd.has('inactive') || cmd.has('state-shutoff')) flags = List.VIR_CONNECT_LIST_DOMAINS_INACTIVE;
  if (cmd.has('all')) flags = List.VIR_CONNECT_LIST_DOMAINS_INACTIVE | List.VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  for (const [name, flag] of Object.entries(LIST_FILTERS)) if (cmd.has(name)) flags |= flag;
  exclusive(s, cmd, 'table', 'name');
  exclusive(s, cmd, 'table', 'uuid');
  exclusive(s, cmd, 'table', 'id');
  const table = !cmd.has('uuid') && !cmd.has('name') && !cmd.has('id');
  let domains: Domain[];
  try {
    domains = s.keepAll(await s.connection.listDomains(flags)).sort(compareDomains);
  } catch (err) {
    throw s.fail(err, 'Failed to list domains');
  }
  if (!table) {
    for (const dom of domains) {
      const parts: string[] = [];
      if (cmd.has('uuid')) parts.push(dom.uuid);
      if (cmd.has('id')) {
        // With --id alone, only running domains (which have ids) are listed.
        if (dom.id === -1 && !cmd.has('uuid') && !cmd.has('name')) continue;
        parts.push(dom.id === -1 ? '-' : String(dom.id));
      }
      if (cmd.has('name')) parts.push(dom.name);
      s.print(`${parts.join(' ')}\n`);
    }
    return true;
  }
  const rows: string[][] = [];
  for (const dom of domains) {
    let state: string;
    try {
      const { state: st } = await dom.state();
      state =
        cmd.has('managed-save') && st === virDomainState.VIR_DOMAIN_SHUTOFF && (await dom.hasManagedSaveImage())
          ? 'saved'
          : stateName(st);
    } catch {
      // The domain went away since the list was taken.
      continue;
    }
    const row = [dom.id === -1 ? '-' : String(dom.id), dom.name, state];
    if (cmd.has('title')) row.push(await domainTitle(dom));
    rows.push(row);
  }
  const head = cmd.has('title') ? ['Id', 'Name', 'State', 'Title'] : ['Id', 'Name', 'State'];
  s.print(formatTable(head, rows, !s.quiet));
  return true;
}

/** The domain's <title>, read from its XML as virsh does when the driver has no metadata API. */
async function domainTitle(dom: Domain): Promise<string> {
  // The XML parser is loaded by the commands that read XML only (not by a plain `list`).
  const { parseXml } = await import('../../xml/index.js');
  const root = parseXml(await dom.xml(), { docName: 'domain_definition', errorDomain: ErrorDomain.VIR_FROM_NONE });
  return root.childText('title') ?? '';
}

export const monitorCommands: readonly CommandDef[] = [
  {
    name: 'dominfo',
    group: 'monitor',
    help: 'domain information',
    desc: 'Returns basic information about the domain.',
    opts: [data('domain', 'domain name, id or uuid')],
    run: cmdDominfo,
  },
  {
    name: 'domstate',
    group: 'monitor',
    help: 'domain state',
    desc: 'Returns state about a domain.',
    opts: [data('domain', 'domain name, id or uuid'), bool('reason', 'also print reason for the state')],
    run: cmdDomstate,
  },
  {
    name: 'list',
    group: 'monitor',
    help: 'list domains',
    desc: 'Returns list of domains.',
    opts: [
      bool('inactive', 'list inactive domains'),
      bool('all', 'list inactive & active domains'),
      bool('transient', 'list transient domains'),
      bool('persistent', 'list persistent domains'),
      bool('with-snapshot', 'list domains with existing snapshot'),
      bool('without-snapshot', 'list domains without a snapshot'),
      bool('with-checkpoint', 'list domains with existing checkpoint'),
      bool('without-checkpoint', 'list domains without a checkpoint'),
      bool('state-running', 'list domains in running state'),
      bool('state-paused', 'list domains in paused state'),
      bool('state-shutoff', 'list domains in shutoff state'),
      bool('state-other', 'list domains in other states'),
      bool('autostart', 'list domains with autostart enabled'),
      bool('no-autostart', 'list domains with autostart disabled'),
      bool('with-managed-save', 'list domains with managed save state'),
      bool('without-managed-save', 'list domains without managed save'),
      bool('uuid', "list uuid's only"),
      bool('name', 'list domain names only'),
      bool('id', 'list domain IDs only'),
      bool('table', 'list table (default)'),
      bool('managed-save', 'mark inactive domains with managed save state'),
      bool('title', 'show domain title'),
    ],
    run: cmdList,
  },
];
