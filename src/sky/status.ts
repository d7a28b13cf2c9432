/**
 * Parses `sky status`: "No existing clusters." or a left-aligned table
 *
 *   Clusters
 *   NAME   INFRA            RESOURCES                STATUS  AUTOSTOP  LAUNCHED
 *   web    AWS (us-east-1)  1x(cpus=2, m6i.large)    UP      -         2 mins ago
 *
 * Cells may hold spaces, so columns are cut where the header's words start.
 */
import { plainLines } from './text.js';

export interface Cluster {
  name: string;
  infra: string;
  resources: string;
  status: string;
  autostop: string;
  launched: string;
}

const COLUMNS = ['NAME', 'INFRA', 'RESOURCES', 'STATUS', 'AUTOSTOP', 'LAUNCHED'] as const;

export function parseSkyStatus(text: string): Cluster[] {
  const lines = plainLines(text);
  const headerIndex = lines.findIndex((line) => /^\s*NAME\s+INFRA\s+RESOURCES\s+STATUS\b/.test(line));
  if (headerIndex < 0) return [];
  const header = lines[headerIndex] ?? '';
  const starts = COLUMNS.map((column) => header.search(new RegExp(`\\b${column}\\b`)));
  const clusters: Cluster[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') break;
    const cell = (i: number) => {
      const start = starts[i] ?? -1;
      const end = i + 1 < starts.length ? (starts[i + 1] ?? line.length) : line.length;
      return start < 0 ? '' : line.slice(start, end).trim();
    };
    clusters.push({
      name: cell(0),
      infra: cell(1),
      resources: cell(2),
      status: cell(3),
      autostop: cell(4),
      launched: cell(5),
    });
  }
  return clusters;
}
