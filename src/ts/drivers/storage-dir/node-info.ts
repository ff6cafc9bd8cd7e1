import { readFileSync, readdirSync } from 'node:fs';
import { cpus, machine, totalmem } from 'node:os';
import type { NodeInfo } from '../driver.js';

/**
 * The host's virNodeInfo, read where libvirt reads it on Linux: the CPU model is the machine architecture,
 * the frequency comes from /proc/cpuinfo, the topology from sysfs (NUMA nodes, then sockets per node,
 * cores per socket and threads per core). Where sysfs says nothing, the host counts as one socket of
 * single-threaded cores, which is libvirt's fallback too.
 */
export function hostNodeInfo(): NodeInfo {
  const count = cpus().length;
  const topology = cpuTopology(count);
  return {
    model: machine(),
    memory: Math.floor(totalmem() / 1024),
    cpus: count,
    mhz: cpuMhz(),
    ...topology,
  };
}

function cpuMhz(): number {
  const match = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readOr('/proc/cpuinfo', ''));
  return match ? Math.floor(Number(match[1])) : (cpus()[0]?.speed ?? 0);
}

function cpuTopology(count: number): Pick<NodeInfo, 'nodes' | 'sockets' | 'cores' | 'threads'> {
  const nodes = Math.max(1, listOr('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n)).length);
  const packages = new Set<string>();
  const cores = new Set<string>();
  for (let cpu = 0; cpu < count; cpu++) {
    const dir = `/sys/devices/system/cpu/cpu${cpu}/topology`;
    const pkg = readOr(`${dir}/physical_package_id`, '').trim();
    const core = readOr(`${dir}/core_id`, '').trim();
    if (pkg === '' || core === '') return { nodes, sockets: 1, cores: Math.max(1, Math.floor(count / nodes)), threads: 1 };
    packages.add(pkg);
    cores.add(`${pkg}:${core}`);
  }
  const sockets = Math.max(1, Math.floor(packages.size / nodes));
  const coresPerSocket = Math.max(1, Math.floor(cores.size / Math.max(1, packages.size)));
  const threads = Math.max(1, Math.floor(count / Math.max(1, cores.size)));
  return { nodes, sockets, cores: coresPerSocket, threads };
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function listOr(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
