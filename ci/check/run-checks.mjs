// Runs the Linux checks of the Windows delivery over the repository, after a self-test that
// feeds every check input it must reject (fixtures/ and altered copies of the real files), so
// a check that silently accepts everything fails here instead of passing.
//   node ci/check/run-checks.mjs [repository root]
// Exit code 0: all checks passed; 1: a problem, each printed with file:line and what is wrong.
import { readFileSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'node:module';
import v8 from 'node:v8';

// Compile the PowerShell grammar's WebAssembly with V8's baseline compiler only: the optimizing
// tier-up of that large module costs seconds of CPU in the background (and Node waits for it
// before exiting) for no gain on a few files. An unknown flag is ignored, so this is safe.
v8.setFlagsFromString('--liftoff-only');

// @actions/workflow-parser imports its schema JSON without an import attribute, which Node 20
// refuses; this load hook supplies the attribute (nothing else changes).
register('./json-hook.mjs', import.meta.url);
const checks = await import('./checks.mjs');

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(process.argv[2] || join(here, '..', '..'));
let failures = 0;
const report = (label, problems) => {
  if (problems.length === 0) {
    console.log(`ci-check: ok    ${label}`);
  } else {
    failures += problems.length;
    console.log(`ci-check: FAIL  ${label}`);
    for (const p of problems) console.log(`    ${p}`);
  }
};
// Paths with / on every OS (the windows CI job runs these checks too).
const rel = (p) => relative(root, p).split(sep).join('/');
const fixture = (name) => readFileSync(join(here, 'fixtures', name), 'utf8');

// ---- self-test: every check must reject what it exists to reject ------------------------------
const expectRejected = async (label, problems, mustMention) => {
  const hit = problems.some((p) => p.includes(mustMention));
  report(`self-test: ${label} is rejected`, hit ? [] : [`expected a problem mentioning '${mustMention}', got: ${JSON.stringify(problems)}`]);
};
const expectAccepted = async (label, problems) => report(`self-test: ${label} is accepted`, problems);

await expectAccepted('a valid workflow', await checks.checkWorkflowText('good.yml', fixture('good-workflow.yml')));
await expectRejected('a workflow with an unknown key', await checks.checkWorkflowText('bad.yml', fixture('bad-workflow-key.yml')), "Unexpected value 'stepz'");
await expectRejected('a workflow with an unclosed expression', await checks.checkWorkflowText('bad.yml', fixture('bad-workflow-expression.yml')), 'expression is not closed');
await expectRejected('a workflow that is not YAML', await checks.checkWorkflowText('bad.yml', 'on: push\njobs: [\n'), 'bad.yml');
await expectRejected("a workflow's PowerShell step with a syntax error", await checks.checkWorkflowRunBlocks('bad.yml',
  'on: push\njobs:\n  w:\n    runs-on: windows-2022\n    steps:\n      - run: if ($x { echo "${{ github.sha }}" }\n'), 'syntax error');
await expectRejected("a workflow's bash step with a syntax error", await checks.checkWorkflowRunBlocks('bad.yml',
  'on: push\njobs:\n  l:\n    runs-on: ubuntu-latest\n    steps:\n      - run: if true; then echo x\n'), 'bash -n');
await expectRejected('a "$name:" variable reference', await checks.checkPowerShellText('colon.ps1', 'throw "no report $report: missing"\n'), "'$report:'");
await expectAccepted('a valid script', await checks.checkPowerShellText('good.ps1', fixture('good.ps1'), { vmScript: true }));
await expectRejected('a script with an unclosed block', await checks.checkPowerShellText('broken-brace.ps1', fixture('broken-brace.ps1')), 'syntax error');
await expectRejected('a script with an unclosed string', await checks.checkPowerShellText('broken-string.ps1', fixture('broken-string.ps1')), 'syntax error');
await expectRejected('a script with a broken if', await checks.checkPowerShellText('broken-if.ps1', fixture('broken-if.ps1')), 'syntax error');
await expectRejected('a script with a PowerShell 7 pipeline chain', await checks.checkPowerShellText('ps7.ps1', 'git status && git log\n'), 'PowerShell 7');
await expectRejected('a script with a non-ASCII character', await checks.checkPowerShellText('utf8.ps1', "Write-Host 'caf\u00e9'\n"), 'non-ASCII');
await expectRejected('a VM script without strict mode', await checks.checkPowerShellText('lax.ps1', fixture('good.ps1').replace('Set-StrictMode -Version Latest', ''), { vmScript: true }), 'Set-StrictMode');
const f = checks.facts(root);
const wrong = (s) => checks.checkNamesInText('x', s, f);
await expectRejected('a script loading another filter', wrong('fltmc load scanner'), "'fltmc load scanner'");
await expectRejected('another altitude', wrong('the altitude 385100'), 'altitude 385100');
await expectRejected('another driver file', wrong('signtool sign scanner.sys'), "'scanner.sys'");
await expectRejected('another port', wrong('connects to \\ScannerPort'), '\\ScannerPort');
await expectRejected('another catalog', wrong('Inf2Cat makes scanner.cat'), "'scanner.cat'");
await expectRejected('a path that does not exist', checks.checkPathsInText('x', 'msbuild native-driver/jminifilter2.vcxproj', root), 'jminifilter2.vcxproj');
await expectAccepted('the real names', wrong(`fltmc load ${f.service}; ${f.driverFile}; altitude ${f.altitude}; ${f.port}; ${f.catalog}`));

// ---- the repository --------------------------------------------------------------------------
report(`names from the INF and the header: service ${f.service}, ${f.driverFile}, ${f.catalog}, altitude ${f.altitude}, port ${f.port}`,
  [f.service, f.altitude, f.catalog, f.port].some((v) => !v) ? ['could not read every name'] : []);
const workflows = checks.listWorkflows(root);
report('there are workflows (.github/workflows/windows.yml, linux.yml)',
  ['windows.yml', 'linux.yml'].filter((w) => !workflows.some((p) => rel(p) === `.github/workflows/${w}`)).map((w) => `missing .github/workflows/${w}`));
for (const wf of workflows) {
  const name = rel(wf);
  const text = readFileSync(wf, 'utf8');
  report(`workflow ${name}`, await checks.checkWorkflowText(name, text));
  report(`workflow ${name}: every run block parses in its shell`, await checks.checkWorkflowRunBlocks(name, text));
}
const scripts = checks.listPowerShell(root);
for (const want of ['prepare.ps1', 'install.ps1', 'uninstall.ps1', 'verifier.ps1']) {
  if (!scripts.some((s) => rel(s) === `ci/vm/${want}`)) report(`ci/vm/${want} exists`, [`missing ci/vm/${want}`]);
}
for (const ps of scripts) {
  const name = rel(ps);
  report(`PowerShell ${name}`, await checks.checkPowerShellText(name, readFileSync(ps, 'utf8'), { vmScript: name.startsWith('ci/') }));
}
const names = [];
for (const name of checks.nameSources(root)) {
  const text = readFileSync(join(root, name), 'utf8');
  names.push(...checks.checkNamesInText(name, text, f));
  if (name !== 'README.md') names.push(...checks.checkPathsInText(name, text, root));
}
report('scripts, workflows and README name the same service, files, altitude and port; their paths exist', names);
report('emulator, Java protocol and vcxproj agree with the INF and the header', checks.checkEmulatorAndJava(root, f));
report('README documents the Windows path', checks.checkReadme(root, f));
report('WDK packages at one version; the windows workflow builds every vcxproj configuration', await checks.checkWindowsBuildInputs(root));

const code = failures > 0 ? 1 : 0;
console.log(failures > 0 ? `ci-check: ${failures} problem(s)` : 'ci-check: all checks passed');
// Exit once stdout is flushed, without waiting for background work (see --liftoff-only above).
process.stdout.write('', () => process.exit(code));
