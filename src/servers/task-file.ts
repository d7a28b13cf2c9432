/** servers/<name>.yaml: the task file of a launch, in the server's own folder of CARAPACE_HOME. */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { LaunchRequest } from '../api.js';
import type { Layout } from '../contract.js';
import { taskYaml } from '../sky/task.js';

/** Written to a new file and renamed over any old one: never through a link. */
export function writeTaskFile(layout: Layout, request: LaunchRequest): string {
  const { servers } = layout;
  try {
    if (lstatSync(servers).isSymbolicLink()) unlinkSync(servers);
  } catch {
    // not there yet
  }
  mkdirSync(servers, { recursive: true, mode: 0o700 });
  const taskFile = `${servers}/${request.name}.yaml`;
  const temporary = `${servers}/.${request.name}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, taskYaml(request), { flag: 'wx', mode: 0o600 });
    renameSync(temporary, taskFile);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return taskFile;
}
