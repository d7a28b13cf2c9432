/**
 * Parses `sky status [NAME]` (sky/client/cli/command.py: status, _show_enabled_infra;
 * sky/utils/cli_utils/status_utils.py: show_status_table; fixtures in
 * test/fixtures/real/sky-status-*.txt):
 *
 *   Enabled Infra: aws
 *
 *   Clusters
 *   NAME   INFRA             RESOURCES                            STATUS  AUTOSTOP  LAUNCHED
 *   web-1  AWS (us-east-1a)  1x(cpus=2, mem=8, m6i.large, ...)    UP      60m       2 mins ago
 *
 *   Managed jobs
 *   No in-progress managed jobs.
 *
 * The table is prettytable's: left-aligned, no border, cells may hold spaces; a
 * USER or WORKSPACE column appears with --all-users or several workspaces. So the
 * columns are found by their header names and cut where the header's words start.
 */
import type { Cluster } from '../api.js';
import { plainLines } from './text.js';

export class SkyOutputError extends Error {}

const COLUMNS = ['NAME', 'USER', 'WORKSPACE', 'INFRA', 'RESOURCES', 'STATUS', 'AUTOSTOP', 'LAUNCHED', 'COMMAND'];
const NO_CLUSTERS = /^(No existing clusters\.|Clusters? .* not found\.)\s*$/;

/** The clusters `sky status` lists; throws SkyOutputError when it printed no table it can read. */
export function parseSkyStatus(text: string): Cluster[] {
  const lines = plainLines(text);
  const headerIndex = lines.findIndex((line) => /^NAME\s{2,}/.test(line) && /\bSTATUS\b/.test(line));
  if (headerIndex < 0) {
    if (lines.some((line) => NO_CLUSTERS.test(line))) return [];
    throw new SkyOutputError('sky status printed no list of clusters that Carapace can read.');
  }
  const header = lines[headerIndex] ?? '';
  const starts = COLUMNS.map((column) => ({ column, start: header.search(new RegExp(`(^|\\s)${column}(\\s|$)`)) }))
    .map(({ column, start }) => ({ column, start: start < 0 ? -1 : start === 0 ? 0 : start + 1 }))
    .filter(({ start }) => start >= 0)
    .sort((a, b) => a.start - b.start);
  const clusters: Cluster[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') break;
    const cells: Record<string, string> = {};
    starts.forEach(({ column, start }, i) => {
      const end = starts[i + 1]?.start ?? line.length;
      cells[column] = line.slice(start, end).trim();
    });
    clusters.push({
      name: cells.NAME ?? '',
      infra: cells.INFRA ?? '',
      resources: cells.RESOURCES ?? '',
      status: cells.STATUS ?? '',
      autostop: cells.AUTOSTOP ?? '',
      launched: cells.LAUNCHED ?? '',
      workspace: cells.WORKSPACE ?? null,
      user: cells.USER ?? null,
    });
  }
  return clusters;
}
