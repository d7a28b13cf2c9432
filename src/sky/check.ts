/**
 * Parses `sky check` (see shared/reference/uv-and-skypilot.md):
 *
 *   Checking credentials to enable infra for SkyPilot.
 *     AWS: enabled [compute, storage]
 *     Azure: disabled
 *       Reason [compute]: Azure CLI returned error. ...
 */
import { plainLines } from './text.js';

export interface EnabledCloud {
  name: string;
  capabilities: string[];
}

export interface DisabledCloud {
  name: string;
  reasons: { capability: string | null; text: string }[];
}

export interface CloudCheck {
  enabled: EnabledCloud[];
  disabled: DisabledCloud[];
  raw: string;
}

const CLOUD = /^ {2}([A-Za-z][\w .-]*?): (enabled|disabled)(?: \[([^\]]*)\])?\s*$/;
const REASON = /^ {4,}Reason(?: \[([^\]]*)\])?: (.*)$/;
const CONTINUATION = /^ {6,}(\S.*)$/;

export function parseSkyCheck(text: string): CloudCheck {
  const enabled: EnabledCloud[] = [];
  const disabled: DisabledCloud[] = [];
  let inClouds = false;
  let lastDisabled: DisabledCloud | null = null;
  let lastReason: { capability: string | null; text: string } | null = null;
  for (const line of plainLines(text)) {
    if (line.startsWith('Checking credentials')) {
      inClouds = true;
      continue;
    }
    if (!inClouds) continue;
    if (line.trim() === '') break; // the summary after the blank line repeats what was listed
    const cloud = CLOUD.exec(line);
    if (cloud) {
      const [, name = '', state, capabilities] = cloud;
      lastReason = null;
      if (state === 'enabled') {
        enabled.push({ name, capabilities: splitList(capabilities) });
        lastDisabled = null;
      } else {
        lastDisabled = { name, reasons: [] };
        disabled.push(lastDisabled);
      }
      continue;
    }
    const reason = REASON.exec(line);
    if (reason && lastDisabled) {
      lastReason = { capability: reason[1] ?? null, text: (reason[2] ?? '').trim() };
      lastDisabled.reasons.push(lastReason);
      continue;
    }
    const more = CONTINUATION.exec(line);
    if (more && lastReason) lastReason.text = `${lastReason.text} ${more[1]}`.trim();
  }
  return { enabled, disabled, raw: text };
}

function splitList(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
