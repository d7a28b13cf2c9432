/**
 * servers/<name>.<random>.yaml: the task file of one launch, in the servers folder
 * of CARAPACE_HOME. Each launch has a file of its own, so that two launches of one
 * name at once never hand sky each other's task; it is written through no link
 * (src/status/files.ts, writeSmallFile).
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import type { LaunchRequest } from '../api.js';
import type { Layout } from '../contract.js';
import { taskYaml } from '../sky/task.js';
import { writeSmallFile } from '../status/files.js';

export function writeTaskFile(layout: Layout, request: LaunchRequest): string {
  const { servers } = layout;
  try {
    if (lstatSync(servers).isSymbolicLink()) unlinkSync(servers);
  } catch {
    // not there yet
  }
  mkdirSync(servers, { recursive: true, mode: 0o700 });
  const taskFile = `${servers}/${request.name}.${randomBytes(6).toString('hex')}.yaml`;
  writeSmallFile(taskFile, taskYaml(request), 0o600);
  return taskFile;
}
