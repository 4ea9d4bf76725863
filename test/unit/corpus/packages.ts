/**
 * Where the model corpus's sources are: the Python files of Debian's
 * python3-torchvision, python3-torchaudio, python3-torchtext and python3-torch
 * packages, read where they are installed (test/fixtures/corpus/README.md).
 * The repository never holds a copy of them; `scripts/setup-python.sh`
 * installs the packages.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';

/** Debian's directory for the system Python's packages. */
export const DEBIAN_DIST_PACKAGES = '/usr/lib/python3/dist-packages';

/** The environment variable that names the directory instead. */
export const DIST_ENV = 'WEIGHTSCOPE_PY_DIST';

const SETUP_HINT = 'run scripts/setup-python.sh (it installs python3-torchvision, python3-torchaudio and python3-torchtext)';

function holdsTorchvision(dir: string): boolean {
  return existsSync(join(dir, 'torchvision', '__init__.py'));
}

let probed: string | null | undefined;

/** The directory /usr/bin/python3 imports torchvision from, if it has one (looked up, not imported). */
function probePython(): string | null {
  if (probed !== undefined) return probed;
  probed = null;
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      ['-c', 'import importlib.util, os; s = importlib.util.find_spec("torchvision"); print(os.path.dirname(list(s.submodule_search_locations)[0]) if s else "")'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
    ).trim();
    if (out && holdsTorchvision(out)) probed = out;
  } catch {
    // no such Python, or it failed: the caller reports the package as missing
  }
  return probed;
}

/**
 * The directory that holds `torchvision/` (and the corpus's other packages):
 * $WEIGHTSCOPE_PY_DIST when set, else Debian's dist-packages directory, else
 * wherever /usr/bin/python3 finds torchvision. Throws when there is none.
 */
export function distPackages(): string {
  const override = process.env[DIST_ENV];
  if (override) {
    if (!holdsTorchvision(override)) {
      throw new Error(`${DIST_ENV}=${override} does not hold torchvision/: set it to the directory that does, or unset it and ${SETUP_HINT}`);
    }
    return override;
  }
  if (holdsTorchvision(DEBIAN_DIST_PACKAGES)) return DEBIAN_DIST_PACKAGES;
  const found = probePython();
  if (found) return found;
  throw new Error(`The model corpus needs Debian's python3-torchvision, which is not installed (no torchvision/ in ${DEBIAN_DIST_PACKAGES}): ${SETUP_HINT}, or set ${DIST_ENV}`);
}

/**
 * The text of a corpus source file, `relative` to the dist-packages directory
 * (as a manifest entry's `file`: "torchvision/models/resnet.py"). Throws a clear
 * error when its package is not installed.
 */
export function readCorpusFile(relative: string): string {
  const clean = normalize(relative);
  if (isAbsolute(relative) || clean.split(sep).includes('..')) {
    throw new Error(`readCorpusFile: '${relative}' must be a path inside the dist-packages directory`);
  }
  const dir = distPackages();
  const path = join(dir, clean);
  if (!existsSync(path) || !statSync(path).isFile()) {
    const pkg = clean.split(sep)[0];
    const has = existsSync(join(dir, pkg!));
    throw new Error(
      has
        ? `readCorpusFile: ${relative} is not in the installed ${pkg} (under ${dir}); the corpus was made with the versions recorded in test/fixtures/corpus/expected.json`
        : `readCorpusFile: package ${pkg} is not installed (no ${pkg}/ under ${dir}): ${SETUP_HINT}`,
    );
  }
  return readFileSync(path, 'utf8');
}
