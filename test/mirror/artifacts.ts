/**
 * What the test mirror serves: uv archives built around the stand-in `uv` (laid
 * out like the real release: `uv-<triple>/uv` and `uvx`, entries owned by a CI
 * runner's uid/gid), the stand-in SkyPilot in one or more versions, dependency
 * wheels and managed-Python archives of chosen sizes (so that downloads take the
 * time real ones do), all built on first request and kept.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STANDINS_DIR = fileURLToPath(new URL('../standins/', import.meta.url));
/** The real programs' output, which the stand-ins print (test/fixtures/real/). */
export const REAL_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/real', import.meta.url));

/** A stand-in program with its placeholders filled. */
export function standin(name: 'uv' | 'sky', values: Record<string, string>): string {
  let text = readFileSync(join(STANDINS_DIR, name), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`@${key}@`, value);
  return `${text}${bundledRealOutputs(`${name}-`)}`;
}

/**
 * The real outputs a stand-in prints, appended after its last `exit` (read back by
 * its real_output function), so that it runs where test/fixtures/real is not: inside
 * a container build, or another machine.
 */
function bundledRealOutputs(prefix: string): string {
  const files = readdirSync(REAL_FIXTURES_DIR)
    .filter((file) => file.startsWith(prefix) && file.endsWith('.txt'))
    .sort();
  const parts = files.map(
    (file) =>
      `#### fixture ${file.slice(0, -'.txt'.length)}\n${readFileSync(join(REAL_FIXTURES_DIR, file), 'utf8')}#### end\n`,
  );
  return `exit\n# ---- test/fixtures/real/${prefix}*.txt, bundled by test/mirror/artifacts.ts\n${parts.join('')}`;
}

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
/** The python-build-standalone release the stand-in uv asks the Python mirror for. */
export const PYTHON_RELEASE = '20261105';

export function skypilotFile(version: string): string {
  return `skypilot_nightly-${version}-py3-none-any.whl`;
}

export interface Dependency {
  name: string;
  version: string;
  bytes: number;
}

/** Sizes of what the mirror serves. Real ones: uv ~19 MB, Python ~32 MB, SkyPilot's packages ~90 MB. */
export interface ArtifactSizes {
  /** About how large each uv archive is. */
  uvBytes: number;
  pythonBytes: number;
  dependencies: Dependency[];
}

/** Small, for tests: the download still takes several reads, and shows progress when throttled. */
export const TEST_SIZES: ArtifactSizes = {
  uvBytes: 1_300_000,
  pythonBytes: 400_000,
  dependencies: [
    { name: 'botocore', version: '1.35.0', bytes: 1_200_000 },
    { name: 'rich', version: '13.9.4', bytes: 250_000 },
  ],
};

/** The real sizes, for the benchmarks. */
export const REAL_SIZES: ArtifactSizes = {
  uvBytes: 19_000_000,
  pythonBytes: 32_000_000,
  dependencies: [
    { name: 'botocore', version: '1.35.0', bytes: 12_900_000 },
    { name: 'pandas', version: '2.2.3', bytes: 13_100_000 },
    { name: 'numpy', version: '2.1.3', bytes: 16_300_000 },
    { name: 'cryptography', version: '44.0.0', bytes: 4_200_000 },
    { name: 'pydantic_core', version: '2.27.1', bytes: 2_000_000 },
    { name: 'kubernetes', version: '31.0.0', bytes: 1_900_000 },
    { name: 'grpcio', version: '1.68.1', bytes: 5_900_000 },
    { name: 'uvicorn', version: '0.32.1', bytes: 64_000 },
    { name: 'fastapi', version: '0.115.6', bytes: 94_000 },
    { name: 'rich', version: '13.9.4', bytes: 242_000 },
    { name: 'psutil', version: '6.1.0', bytes: 287_000 },
    { name: 'setuptools', version: '75.6.0', bytes: 1_200_000 },
    { name: 'boto3', version: '1.35.0', bytes: 139_000 },
    { name: 's3transfer', version: '0.10.4', bytes: 83_000 },
    { name: 'pip', version: '25.3', bytes: 1_800_000 },
    { name: 'others', version: '1.0.0', bytes: 26_000_000 },
  ],
};

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic bytes that do not compress, so that archives are reproducible and of the size asked. */
function noise(seed: string, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < bytes; offset += block.length) {
    block = createHash('sha256').update(block).digest();
    block.copy(out, offset);
  }
  return out;
}

export class Artifacts {
  private readonly workDir = mkdtempSync(join(tmpdir(), 'carapace-mirror-'));
  private readonly built = new Map<string, Buffer>();
  /** The SkyPilot versions the index offers, oldest first (uv takes the newest). */
  skypilotVersions: string[] = [SKYPILOT_VERSION];

  constructor(readonly sizes: ArtifactSizes = TEST_SIZES) {}

  close(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private once(key: string, build: () => Buffer): Buffer {
    const cached = this.built.get(key);
    if (cached) return cached;
    const made = build();
    this.built.set(key, made);
    return made;
  }

  /** The `uv-<triple>.tar.gz` of a uv version. */
  uvArchive(version: string, triple: string): Buffer | undefined {
    if (!/^[0-9A-Za-z.-]+$/.test(version) || !(UV_TRIPLES as readonly string[]).includes(triple)) return undefined;
    return this.once(`uv/${version}/${triple}`, () => {
      const root = join(this.workDir, version.replaceAll('.', '_'), triple);
      const folder = join(root, `uv-${triple}`);
      mkdirSync(folder, { recursive: true });
      const uv = standin('uv', { UV_VERSION: version, UV_TRIPLE: triple, PYTHON_RELEASE });
      // Base64 noise in a comment: the archive compresses to about the size asked for.
      const pad = noise('carapace-uv-padding', Math.floor(this.sizes.uvBytes * 0.74))
        .toString('base64')
        .replace(/(.{76})/g, '# $1\n');
      writeFileSync(join(folder, 'uv'), `${uv}\n# ${pad}\n`);
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
      return readFileSync(archivePath);
    });
  }

  /** The stand-in SkyPilot "wheel" of a version: the stand-in `sky` program itself. */
  skypilotPackage(version: string): Buffer | undefined {
    if (!this.skypilotVersions.includes(version)) return undefined;
    return this.once(`sky/${version}`, () => Buffer.from(standin('sky', { SKY_VERSION: version })));
  }

  dependency(file: string): Buffer | undefined {
    const found = this.sizes.dependencies.find((dep) => file === `${dep.name}-${dep.version}-py3-none-any.whl`);
    return found ? this.once(`dep/${file}`, () => noise(file, found.bytes)) : undefined;
  }

  /** A managed Python's archive, as python-build-standalone names it. */
  python(file: string): Buffer | undefined {
    if (!new RegExp(`^cpython-[0-9.]+\\+${PYTHON_RELEASE}-[a-z0-9_-]+-install_only_stripped\\.tar\\.gz$`).test(file)) {
      return undefined;
    }
    return this.once(`python/${file}`, () => noise(file, this.sizes.pythonBytes));
  }

  /** PEP 503 project page, as a package index serves it: every SkyPilot version, then its dependencies. */
  projectPage(): string {
    const link = (file: string, data: Buffer) => `<a href="/packages/${file}#sha256=${sha256(data)}">${file}</a><br/>`;
    const wheels = this.skypilotVersions.map((version) =>
      link(skypilotFile(version), this.skypilotPackage(version) ?? Buffer.alloc(0)),
    );
    const dependencies = this.sizes.dependencies.map((dep) => {
      const file = `${dep.name}-${dep.version}-py3-none-any.whl`;
      return `<a href="/packages/${file}" data-dependency>${file}</a><br/>`;
    });
    return [
      '<!DOCTYPE html>',
      `<html><head><title>Links for ${SKYPILOT_PACKAGE}</title></head><body>`,
      `<h1>Links for ${SKYPILOT_PACKAGE}</h1>`,
      ...wheels,
      ...dependencies,
      '</body></html>',
      '',
    ].join('\n');
  }
}
