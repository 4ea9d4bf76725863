/** The facts a benchmark row set needs to be read later: which machine, which software, how busy. */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  date: string;
  cpu: string;
  cores: number;
  /** Vector extensions the kernels of the peers may use (from /proc/cpuinfo). */
  cpuFeatures: string[];
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  /** 1-minute load average when the suite started: > cores means other work shared the CPUs. */
  loadAverage: number;
}

const FEATURES = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f'];

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    cpuFeatures: cpuFeatures(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

function cpuFeatures(): string[] {
  if (!existsSync('/proc/cpuinfo')) return [];
  const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim().split(/\s+/) ?? [];
  return FEATURES.filter((f) => flags.includes(f));
}
