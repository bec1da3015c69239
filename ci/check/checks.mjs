// The Linux checks of the Windows delivery (ci/, .github/workflows/), as functions that take
// text and return a list of problems, so that the self-test can feed them broken input.
//   - workflows: GitHub's own parser (@actions/workflow-parser) parses and validates each file
//     against the Actions workflow schema, expressions included; then converts it to the
//     template GitHub runs (jobs, steps).
//   - PowerShell: tree-sitter-powershell's grammar (its .wasm through web-tree-sitter) parses
//     each .ps1; any ERROR or MISSING node is a syntax error. Also what a stock Windows
//     PowerShell 5.1 needs: ASCII only (5.1 reads a BOM-less script in the ANSI code page), no
//     PowerShell 7 pipeline chains (&&, ||), and for the VM scripts the project's rules
//     (comment-based help, StrictMode Latest, ErrorActionPreference Stop).
//   - names: the INF, the vcxproj, the header, the Java protocol, the emulator, the README, the
//     scripts and the workflows name the same service, driver file, INF, catalog, altitude and
//     port, and every repository path the scripts and workflows mention exists.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep, basename } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Workflows

let workflowParser;
async function parser() {
  if (!workflowParser) {
    workflowParser = await import('@actions/workflow-parser');
  }
  return workflowParser;
}

export async function checkWorkflowText(name, content) {
  const wp = await parser();
  const trace = { info() {}, verbose() {}, error() {} };
  const problems = [];
  const result = wp.parseWorkflow({ name, content }, trace);
  for (const e of result.context.errors.getErrors()) problems.push(e.message);
  if (problems.length === 0) {
    if (!result.value) {
      problems.push(`${name}: empty workflow`);
    } else {
      const template = await wp.convertWorkflowTemplate(result.context, result.value);
      for (const e of result.context.errors.getErrors()) problems.push(e.message);
      if (problems.length === 0 && (!template.jobs || template.jobs.length === 0)) {
        problems.push(`${name}: no jobs`);
      }
      for (const job of template.jobs || []) {
        if (job.type === 'job' && (!job.steps || job.steps.length === 0)) {
          problems.push(`${name}: job '${job.id.value}' has no steps`);
        }
      }
    }
  }
  return problems;
}

// The run: blocks of a workflow, with the shell each runs in (a step's shell:, else the job's or
// the workflow's defaults, else the runner's default: pwsh on Windows, bash elsewhere).
export async function workflowRunBlocks(name, content) {
  const YAML = await import('yaml');
  const doc = YAML.parse(content) || {};
  const blocks = [];
  const workflowShell = doc.defaults?.run?.shell;
  for (const [jobId, job] of Object.entries(doc.jobs || {})) {
    const runsOn = JSON.stringify(job['runs-on'] || '');
    const jobShell = job.defaults?.run?.shell || workflowShell || (/windows/i.test(runsOn) ? 'pwsh' : 'bash');
    (job.steps || []).forEach((step, index) => {
      if (typeof step.run !== 'string') return;
      // ${{ }} is replaced by GitHub before the shell sees the text: stand in a plain word.
      const text = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, 'GHEXPR');
      blocks.push({ where: `${name} jobs.${jobId}.steps[${index}]${step.name ? ` (${step.name})` : ''}`, shell: step.shell || jobShell, text });
    });
  }
  return blocks;
}

// Each run: block parses in its shell: PowerShell through the grammar below, bash with bash -n.
export async function checkWorkflowRunBlocks(name, content) {
  const { spawnSync } = await import('node:child_process');
  const problems = [];
  for (const block of await workflowRunBlocks(name, content)) {
    if (block.shell === 'pwsh' || block.shell === 'powershell') {
      for (const p of await checkPowerShellText(block.where, block.text)) problems.push(p);
    } else if (block.shell === 'bash' || block.shell === 'sh') {
      const r = spawnSync('bash', ['-n'], { input: block.text, encoding: 'utf8' });
      if (r.status !== 0) problems.push(`${block.where}: bash -n: ${(r.stderr || '').trim()}`);
    } else {
      problems.push(`${block.where}: shell '${block.shell}' is not one the checks can parse (pwsh, powershell, bash)`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// PowerShell

let psParser;
async function powershell() {
  if (!psParser) {
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
    psParser = new Parser();
    psParser.setLanguage(language);
  }
  return psParser;
}

function where(name, node) {
  return `${name}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

// options.vmScript: the project's rules for the scripts a person runs (help, strict mode, Stop).
export async function checkPowerShellText(name, content, options = {}) {
  const problems = [];
  const lines = content.split(/\r?\n/);
  lines.forEach((line, i) => {
    const bad = [...line].findIndex((c) => c.charCodeAt(0) > 0x7e || (c.charCodeAt(0) < 0x20 && c !== '\t' && c !== '\r'));
    if (bad >= 0) {
      problems.push(`${name}:${i + 1}:${bad + 1}: non-ASCII or control character U+${line.codePointAt(bad).toString(16).toUpperCase().padStart(4, '0')}`
        + ' (Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page)');
    }
  });
  const p = await powershell();
  const tree = p.parse(content);
  const errors = [];
  const walk = (node) => {
    if (errors.length >= 5) return;
    if (node.isMissing) {
      errors.push(`${where(name, node)}: syntax error: missing ${node.type}`);
    } else if (node.type === 'ERROR') {
      const text = node.text.split(/\r?\n/)[0].slice(0, 60);
      errors.push(`${where(name, node)}: syntax error near '${text}'`);
    } else if (node.hasError) {
      for (const child of node.children) walk(child);
    }
  };
  if (tree.rootNode.hasError) {
    walk(tree.rootNode);
    if (errors.length === 0) errors.push(`${name}: syntax error`);
  }
  problems.push(...errors);
  // PowerShell 7 pipeline chains parse in this grammar but fail in Windows PowerShell 5.1.
  const chains = tree.rootNode.descendantsOfType('pipeline_chain_tail');
  for (const chain of chains) {
    problems.push(`${where(name, chain)}: '&&' / '||' pipeline chains need PowerShell 7; the scripts must run on Windows PowerShell 5.1`);
  }
  tree.delete();
  // "$name:" followed by no name is a parse error in PowerShell ("Variable reference is not
  // valid"), which this grammar accepts inside strings: "$path: missing" must be "${path}: ...".
  lines.forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    for (const str of line.matchAll(/"(?:[^"`]|`.)*"/g)) {
      for (const v of str[0].matchAll(/\$([A-Za-z_][A-Za-z0-9_]*):(?![A-Za-z0-9_{\\\/])/g)) {
        problems.push(`${name}:${i + 1}:${str.index + v.index + 1}: '$${v[1]}:' is not a valid variable reference in PowerShell; write '$\{${v[1]}\}:'`);
      }
    }
  });
  if (options.vmScript) {
    if (!/<#[\s\S]*?\.SYNOPSIS[\s\S]*?#>/.test(content)) problems.push(`${name}: no comment-based help (<# .SYNOPSIS ... #>)`);
    if (!/^\s*Set-StrictMode\s+-Version\s+Latest\s*$/m.test(content)) problems.push(`${name}: no 'Set-StrictMode -Version Latest'`);
    if (!/^\s*\$ErrorActionPreference\s*=\s*'Stop'\s*$/m.test(content)) problems.push(`${name}: no "$ErrorActionPreference = 'Stop'"`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Names

function read(root, rel) {
  return readFileSync(join(root, rel), 'utf8');
}

function infValue(inf, key) {
  const re = new RegExp(`^\\s*${key.replace(/\./g, '\\.')}\\s*=\\s*"?([^";\\r\\n]*?)"?\\s*(;.*)?$`, 'm');
  const m = inf.match(re);
  return m ? m[1].trim() : null;
}

// The names, each from the one file that defines it.
export function facts(root) {
  const inf = read(root, 'inf/jminifilter.inf');
  const service = infValue(inf, 'ServiceName');
  const altitude = infValue(inf, 'Instance1.Altitude');
  const catalog = infValue(inf, 'CatalogFile');
  const header = read(root, 'native-driver/include/jmf_protocol.h');
  const portMatch = header.match(/#define\s+JMF_PORT_NAME\s+L"((?:[^"\\]|\\.)*)"/);
  const port = portMatch ? portMatch[1].replace(/\\\\/g, '\\') : null;
  return { service, altitude, catalog, port, driverFile: `${service}.sys`, infName: 'jminifilter.inf' };
}

// The files the name rules read, relative to the root: the scripts, workflows, README, and
// the emulator/Java sources that carry a name of their own.
export function nameSources(root) {
  const files = [];
  const add = (dir, pred) => {
    const abs = join(root, dir);
    if (!existsSync(abs)) return;
    for (const f of listFiles(abs)) if (pred(f)) files.push(relative(root, f).split(sep).join('/'));
  };
  add('ci/vm', (f) => f.endsWith('.ps1'));
  add('ci/windows', (f) => /\.(ps1|props|config)$/.test(f));
  add('.github/workflows', (f) => /\.ya?ml$/.test(f));
  files.push('README.md');
  return files;
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (['node_modules', 'target', 'fixtures', '.git', 'build'].includes(entry)) continue;
    const abs = join(dir, entry);
    const st = statSync(abs);
    if (st.isDirectory()) out.push(...listFiles(abs));
    else out.push(abs);
  }
  return out;
}

// Paths produced by builds (never committed)
// are not required to exist; everything else a script or workflow names must.
const GENERATED = /(^|\/)(build|target|node_modules|packages|out)(\/|$)/;

// Rules over one text. Returns problems; `name` is the file name for messages.
export function checkNamesInText(name, text, f, options = {}) {
  const problems = [];
  const lines = text.split(/\r?\n/);
  const at = (i) => `${name}:${i + 1}`;
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/\bfltmc(?:\.exe)?\s+(load|unload|instances\s+-f|detach|attach)\s+([A-Za-z0-9_$.-]+)/g)) {
      const target = m[2];
      if (!target.startsWith('$') && target !== f.service) {
        problems.push(`${at(i)}: 'fltmc ${m[1]} ${target}' but the INF's service is '${f.service}'`);
      }
    }
    for (const m of line.matchAll(/(?<![$\w-])([A-Za-z0-9_-]+)\.sys\b/g)) {
      const file = `${m[1]}.sys`;
      if (file.toLowerCase() !== f.driverFile.toLowerCase() && !['fltmgr.sys', 'ntoskrnl.sys'].includes(file.toLowerCase())) {
        problems.push(`${at(i)}: names driver file '${file}', not the INF's '${f.driverFile}'`);
      }
    }
    for (const m of line.matchAll(/\b([A-Za-z0-9_-]+)\.inf\b/g)) {
      const file = `${m[1]}.inf`;
      if (file.toLowerCase() !== f.infName && !/^oem/i.test(file)) {
        problems.push(`${at(i)}: names INF '${file}', not '${f.infName}'`);
      }
    }
    for (const m of line.matchAll(/\b([A-Za-z0-9_-]+)\.cat\b/g)) {
      const file = `${m[1]}.cat`;
      if (file.toLowerCase() !== f.catalog.toLowerCase()) {
        problems.push(`${at(i)}: names catalog '${file}', not the INF's CatalogFile '${f.catalog}'`);
      }
    }
    for (const m of line.matchAll(/\\+([A-Za-z]+Port)\b/g)) {
      if (`\\${m[1]}` !== f.port && m[1] !== 'FilterPort') {
        problems.push(`${at(i)}: names port '\\${m[1]}', not the header's '${f.port}'`);
      }
    }
    for (const m of line.matchAll(/altitude[^0-9\n]{0,40}?\b([1-4]\d{5}(?:\.\d+)?)\b/gi)) {
      if (m[1] !== f.altitude && !options.altitudeFree) {
        problems.push(`${at(i)}: altitude ${m[1]}, but the INF's is ${f.altitude}`);
      }
    }
  });
  return problems;
}

// Repository paths a script or workflow mentions (native-driver/..., inf\..., ci/..., java/...).
export function checkPathsInText(name, text, root) {
  const problems = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/(?<![\w.\/\\$%-])((?:native-driver|inf|ci|\.ci|java|bin)[\/\\][A-Za-z0-9_.\/\\-]*[A-Za-z0-9_])/g)) {
      const rel = m[1].replace(/\\/g, '/');
      if (GENERATED.test(rel) || rel.includes('*')) continue;
      if (/^bin\//.test(rel) || /^java\/cli(\/|$)/.test(rel)) continue; // the command line's branch
      if (!existsSync(join(root, rel))) {
        problems.push(`${name}:${i + 1}: names '${m[1]}', which does not exist in the repository`);
      }
    }
  });
  return problems;
}

// The emulator's and the Java side's copies of the names.
export function checkEmulatorAndJava(root, f) {
  const problems = [];
  const emulated = read(root, 'java/emulator/src/main/java/org/jminifilter/emulator/EmulatedKernel.java');
  const m = emulated.match(/DEFAULT_ALTITUDE\s*=\s*"([^"]+)"/);
  if (!m) problems.push('EmulatedKernel.java: no DEFAULT_ALTITUDE');
  else if (m[1] !== f.altitude) problems.push(`EmulatedKernel.DEFAULT_ALTITUDE is ${m[1]}, but the INF's altitude is ${f.altitude}`);
  const flt = read(root, 'native-driver/host/emu/src/emu_flt.c');
  const c = flt.match(/EmuSetNextAltitude\(altitude != NULL \? altitude : "([^"]+)"\)/);
  if (!c) problems.push('emu_flt.c: EmuLoadDriver\'s default altitude not found');
  else if (c[1] !== f.altitude) problems.push(`emu_flt.c: EmuLoadDriver loads at ${c[1]} by default, but the INF's altitude is ${f.altitude}`);
  const reg = flt.match(/CurrentControlSet\\\\Services\\\\([A-Za-z0-9_]+)/);
  if (!reg || reg[1] !== f.service) problems.push(`emu_flt.c: the driver's registry path names service '${reg ? reg[1] : '?'}', not '${f.service}'`);
  const protocol = read(root, 'java/protocol/src/main/java/org/jminifilter/protocol/Protocol.java');
  const p = protocol.match(/PORT_NAME\s*=\s*"((?:[^"\\]|\\.)*)"/);
  const javaPort = p ? p[1].replace(/\\\\/g, '\\') : null;
  if (javaPort !== f.port) problems.push(`Protocol.PORT_NAME is '${javaPort}', but jmf_protocol.h's JMF_PORT_NAME is '${f.port}'`);
  const vcx = read(root, 'native-driver/jminifilter.vcxproj');
  const t = vcx.match(/<TargetName>([^<]+)<\/TargetName>/);
  if (!t || t[1] !== f.service) problems.push(`jminifilter.vcxproj's TargetName is '${t ? t[1] : '?'}', not the INF's service '${f.service}'`);
  if (!/Include="\.\.\\inf\\jminifilter\.inf"/.test(vcx)) problems.push('jminifilter.vcxproj does not list ..\\inf\\jminifilter.inf');
  return problems;
}

// What the README must say about the Windows path.
export function checkReadme(root, f) {
  const problems = [];
  const readme = read(root, 'README.md');
  const need = [
    `fltmc load ${f.service}`,
    `fltmc instances -f ${f.service}`,
    `pnputil /add-driver inf\\${f.infName} /install`,
    f.port,
    `**${f.altitude}**`,
    'ci\\vm\\prepare.ps1', 'ci\\vm\\install.ps1', 'ci\\vm\\uninstall.ps1', 'ci\\vm\\verifier.ps1',
    'jminifilter selftest',
  ];
  for (const s of need) if (!readme.includes(s)) problems.push(`README.md does not say '${s}'`);
  for (const wf of listWorkflows(root)) {
    const rel = `.github/workflows/${basename(wf)}`;
    if (!readme.includes(rel)) problems.push(`README.md does not mention the workflow ${rel}`);
  }
  return problems;
}

export function listWorkflows(root) {
  const dir = join(root, '.github/workflows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
}

export function listPowerShell(root) {
  return listFiles(root).filter((f) => f.endsWith('.ps1'));
}

// The Windows build inputs agree: every NuGet package of ci/windows/packages.config at the one
// version wdk.props imports, and the windows workflow's matrix building exactly the vcxproj's
// configurations.
export async function checkWindowsBuildInputs(root) {
  const problems = [];
  const config = read(root, 'ci/windows/packages.config');
  const props = read(root, 'ci/windows/wdk.props');
  const versions = [...config.matchAll(/<package id="([^"]+)" version="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  const want = (props.match(/<JmfWdkVersion>([^<]+)<\/JmfWdkVersion>/) || [])[1];
  for (const id of ['Microsoft.Windows.WDK.x64', 'Microsoft.Windows.WDK.arm64', 'Microsoft.Windows.SDK.CPP',
    'Microsoft.Windows.SDK.CPP.x64', 'Microsoft.Windows.SDK.CPP.arm64']) {
    const found = versions.find(([p]) => p === id);
    if (!found) problems.push(`ci/windows/packages.config does not restore ${id}`);
    else if (found[1] !== want) problems.push(`ci/windows/packages.config has ${id} ${found[1]}, but wdk.props imports ${want}`);
  }
  const vcx = read(root, 'native-driver/jminifilter.vcxproj');
  const projectConfigs = [...vcx.matchAll(/<ProjectConfiguration Include="([^|"]+)\|([^"]+)"/g)].map((m) => `${m[1]}|${m[2]}`).sort();
  const YAML = await import('yaml');
  const wf = YAML.parse(read(root, '.github/workflows/windows.yml'));
  const matrix = wf?.jobs?.driver?.strategy?.matrix || {};
  const built = [];
  for (const c of matrix.configuration || []) for (const p of matrix.platform || []) built.push(`${c}|${p}`);
  built.sort();
  if (JSON.stringify(built) !== JSON.stringify(projectConfigs)) {
    problems.push(`windows.yml builds ${JSON.stringify(built)}, the vcxproj defines ${JSON.stringify(projectConfigs)}`);
  }
  return problems;
}
