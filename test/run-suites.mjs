// npm test: every suite in turn -- lint (Biome, shellcheck), typecheck, the
// installer's bats tests, vitest, then the container build -- and one closing line
// with the counts.
// With CARAPACE_REQUIRE_ALL=1 (CI), a skipped test or a missing tool fails the run;
// so does a temporary carapace-* folder a test left behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const requireAll = Boolean(process.env.CARAPACE_REQUIRE_ALL);
const shellFiles = [
  'scripts/install-skypilot.sh',
  'bin/setup',
  'test/live/run.sh',
  'test/standins/uv',
  'test/standins/sky',
  'test/bench/stamped-installer.sh',
  'test/bench/emit-lines.sh',
];
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function run(title, command, args, options = {}) {
  process.stdout.write(`\n== ${title}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (options.capture) process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) {
    broken = true;
    process.stdout.write(`== ${title} FAILED (exit ${result.status ?? result.signal})\n`);
  }
  return result;
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function skipOrFail(what) {
  if (requireAll) {
    broken = true;
    totals.failed += 1;
    process.stdout.write(`== FAILED: ${what} (CARAPACE_REQUIRE_ALL is set)\n`);
  } else {
    totals.skipped += 1;
    process.stdout.write(`== SKIPPED: ${what}\n`);
  }
}

/** The temporary folders tests make are named carapace-*; each must remove its own. */
function temporaryFolders() {
  return new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('carapace-')));
}
const temporaryBefore = temporaryFolders();

mkdirSync('test-output', { recursive: true });
run('lint', 'npx', ['biome', 'check', '.']);
if (hasCommand('shellcheck')) {
  const platform = ['test/standins/platform/uname', 'test/standins/platform/sysctl', 'test/standins/platform/ldd'];
  run('shellcheck', 'shellcheck', ['-s', 'sh', ...shellFiles, ...platform]);
} else {
  skipOrFail('shellcheck is not installed (apt-get install shellcheck)');
}
run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('typecheck tests', 'npx', ['tsc', '-p', 'tsconfig.test.json', '--noEmit']);
run('typecheck page', 'npx', ['tsc', '-p', 'tsconfig.page.json']);

if (hasCommand('dash')) {
  const bats = run(
    'installer (bats, under dash)',
    'bash',
    ['node_modules/bats/bin/bats', '--formatter', 'tap', 'test-bats'],
    {
      capture: true,
    },
  );
  for (const line of (bats.stdout ?? '').split('\n')) {
    if (/^ok \d+ .*# skip/.test(line)) totals.skipped += 1;
    else if (/^ok \d+/.test(line)) totals.passed += 1;
    else if (/^not ok \d+/.test(line)) totals.failed += 1;
  }
} else {
  skipOrFail('dash is not installed (apt-get install dash): the installer tests run under dash');
}

function vitest(title, config, report) {
  rmSync(report, { force: true });
  const args = [
    'vitest',
    'run',
    '--config',
    config,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  run(title, 'npx', args);
  if (!existsSync(report)) return;
  const counts = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += counts.numPassedTests;
  totals.failed += counts.numFailedTests;
  totals.skipped += counts.numPendingTests + counts.numTodoTests;
}

vitest('server, parsers and page (vitest)', 'vitest.config.ts', 'test-output/vitest.json');
vitest('container image (vitest, buildah)', 'vitest.container.config.ts', 'test-output/vitest-container.json');

const leftBehind = [...temporaryFolders()].filter((name) => !temporaryBefore.has(name));
if (leftBehind.length > 0) {
  broken = true;
  process.stdout.write(
    `== FAILED: the tests left ${leftBehind.length} temporary folders behind in ${tmpdir()}: ${leftBehind.join(', ')}\n`,
  );
}

if (requireAll && totals.skipped > 0) {
  broken = true;
  process.stdout.write(`== FAILED: ${totals.skipped} skipped tests (CARAPACE_REQUIRE_ALL is set)\n`);
}
process.stdout.write(`\nTotal: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(broken || totals.failed > 0 ? 1 : 0);
