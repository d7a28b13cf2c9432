/**
 * What the test mirror serves: uv archives built around the stand-in `uv`
 * (laid out like the real release: `uv-<triple>/uv` and `uvx`, entries owned
 * by a CI runner's uid/gid) and the stand-in SkyPilot package.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STANDINS_DIR = fileURLToPath(new URL('../standins/', import.meta.url));
export const UV_TRIPLES = [
  'aarch64-apple-darwin',
  'x86_64-apple-darwin',
  'x86_64-unknown-linux-gnu',
  'x86_64-unknown-linux-musl',
  'aarch64-unknown-linux-gnu',
  'aarch64-unknown-linux-musl',
] as const;
export const SKYPILOT_PACKAGE = 'skypilot-nightly';
export const SKYPILOT_VERSION = '1.0.0.dev20261120';
export const SKYPILOT_FILE = `skypilot_nightly-${SKYPILOT_VERSION}-py3-none-any.whl`;

/** Real uv archives are ~19 MB; random padding gives the stand-in a size that shows progress. */
const PADDING_BYTES = 2_400_000;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function padding(): string {
  // Deterministic, incompressible-looking bytes, so that archives are reproducible.
  const chunks: string[] = [];
  let block = createHash('sha256').update('carapace-standin').digest();
  while (chunks.length * 64 < PADDING_BYTES) {
    block = createHash('sha256').update(block).digest();
    chunks.push(block.toString('base64').slice(0, 43).padEnd(64, '='));
  }
  return chunks.map((c) => `# ${c}`).join('\n');
}

export class Artifacts {
  private readonly workDir = mkdtempSync(join(tmpdir(), 'carapace-mirror-'));
  private readonly archives = new Map<string, Buffer>();
  private readonly pad = padding();

  /** The `uv-<triple>.tar.gz` of a uv version, built on first request. */
  uvArchive(version: string, triple: string): Buffer | undefined {
    if (!/^[0-9A-Za-z.-]+$/.test(version) || !(UV_TRIPLES as readonly string[]).includes(triple)) return undefined;
    const key = `${version}/${triple}`;
    const cached = this.archives.get(key);
    if (cached) return cached;
    const root = join(this.workDir, version.replaceAll('.', '_'), triple);
    const folder = join(root, `uv-${triple}`);
    mkdirSync(folder, { recursive: true });
    const uv = readFileSync(join(STANDINS_DIR, 'uv'), 'utf8')
      .replaceAll('@UV_VERSION@', version)
      .replaceAll('@UV_TRIPLE@', triple);
    writeFileSync(join(folder, 'uv'), `${uv}\n${this.pad}\n`);
    writeFileSync(
      join(folder, 'uvx'),
      '#!/bin/sh\n# Stand-in uvx: present because the real archive has it.\nexec "$(dirname "$0")/uv" tool run "$@"\n',
    );
    chmodSync(join(folder, 'uv'), 0o755);
    chmodSync(join(folder, 'uvx'), 0o755);
    const archivePath = join(root, `uv-${triple}.tar.gz`);
    execFileSync('tar', [
      '--owner=1001',
      '--group=121',
      '--numeric-owner',
      '--mtime=2026-08-14 00:00:00Z',
      '--sort=name',
      '-czf',
      archivePath,
      '-C',
      root,
      `uv-${triple}`,
    ]);
    const archive = readFileSync(archivePath);
    this.archives.set(key, archive);
    return archive;
  }

  /** The stand-in SkyPilot "wheel": the stand-in `sky` program itself. */
  skypilotPackage(): Buffer {
    const sky = readFileSync(join(STANDINS_DIR, 'sky'), 'utf8').replaceAll('@SKY_VERSION@', SKYPILOT_VERSION);
    return Buffer.from(sky);
  }

  /** PEP 503 project page, as a package index serves it. */
  projectPage(): string {
    const file = this.skypilotPackage();
    return [
      '<!DOCTYPE html>',
      `<html><head><title>Links for ${SKYPILOT_PACKAGE}</title></head><body>`,
      `<h1>Links for ${SKYPILOT_PACKAGE}</h1>`,
      `<a href="/packages/${SKYPILOT_FILE}#sha256=${sha256(file)}">${SKYPILOT_FILE}</a><br/>`,
      '</body></html>',
      '',
    ].join('\n');
  }
}
