"""The wheel (`make wheel`) and the loader's search outside the repository.

- `make wheel` gives build/dist/pace-VERSION-py3-none-PLATFORM.whl: VERSION
  is include/pace.h's, the tag is a platform tag (never `any`), the metadata
  says it is not pure, and it carries pace/libpace.so, stripped (no symbol
  table, no debug sections) with a debuglink to build/dist/lib/libpace.so.debug,
  and in pace/_libs the libraries it opens on first use (LAPACKE, libnuma:
  the PACE_*_SONAME lines of _CLazyLibrary.h) with what they need that is
  not glibc, libstdc++ or libgcc_s (LAPACK, OpenBLAS, libgfortran, ...), and
  the LOAD file that orders them.
- Installed into a fresh virtual environment (numpy from the system's
  site-packages; no PACE_LIBRARY, no checkout on the path or above the
  working directory), `import pace` loads the bundled library and a
  schedule gives the same values as the repository's build without mapping
  any bundled library (they load on first use); a law fit then maps the
  package's copy of LAPACKE and its dependencies, not the system's.
- Without a bundled copy, the binding finds a library installed the way
  `make install PREFIX=...` does (PREFIX/lib/libpace.so) through
  LD_LIBRARY_PATH and in ~/.local/lib.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pace

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "build" / "dist"
BASELINE = ROOT / "build" / "lib" / "baseline" / "libpace.so"
# The library the wheel bundles: make wheel's default (the portable
# baseline), or PACE_WHEEL_LIB (passed to make as WHEEL_LIB).
WHEEL_LIB = Path(os.environ.get("PACE_WHEEL_LIB") or BASELINE)
SPEC = {"preset": "onecycle", "peak": 0.1, "total_steps": 1000}


def header_version() -> str:
    text = (ROOT / "include" / "pace.h").read_text()
    return ".".join(re.search(r"^#define PACE_VERSION_%s (\d+)" % k, text, re.M).group(1)
                    for k in ("MAJOR", "MINOR", "PATCH"))


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PACE_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env


SMOKE = """
import json, sys
import pace
s = pace.Schedule(json.loads(sys.argv[1]))
def mapped():
    return sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line.split()[-1]})
values = s.values(0, 1000).tolist()
maps = mapped()
truth = pace.laws.Law.create("annealing", [2.0, 1.5, 0.45, 0.01, 0.999], warmup="peak")
steps = list(range(20, 1000, 20))
fitted = pace.laws.Law.fit("annealing", [(json.loads(sys.argv[1]), steps, truth.predict(json.loads(sys.argv[1]), steps))],
                           warmup="peak", fit_lambda=False, lam=0.999)
print(json.dumps({"file": pace.__file__, "library": pace.library_path, "build": pace.build_info(),
                  "fields": pace.build_info_fields(), "total": s.total_steps,
                  "values": values, "maps": maps, "fit_maps": mapped(), "fitted_L0": fitted.params["L0"]}))
"""


def run_smoke(python: str, cwd: Path, env: dict) -> dict:
    out = subprocess.run([python, "-c", SMOKE, json.dumps(SPEC)], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def wheel() -> Path:
    if shutil.which("make") is None or shutil.which("objcopy") is None:
        pytest.skip("make or objcopy (binutils) is not installed")
    if not WHEEL_LIB.is_file():
        pytest.skip("%s is not built (make baseline; make test builds it)" % WHEEL_LIB)
    done = subprocess.run(["make", "-s", "wheel", "WHEEL_LIB=%s" % WHEEL_LIB], cwd=ROOT, capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = sorted(DIST.glob("pace-%s-*.whl" % header_version()))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_name_tag_and_metadata(wheel):
    version = header_version()
    name, ver, python, abi, platform = wheel.name[:-len(".whl")].split("-")
    assert (name, ver, python, abi) == ("pace", version, "py3", "none")
    assert platform != "any" and platform.endswith("x86_64" if os.uname().machine == "x86_64" else platform)
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        info = "pace-%s.dist-info/" % version
        meta = z.read(info + "WHEEL").decode()
        metadata = z.read(info + "METADATA").decode()
        lib = z.read("pace/libpace.so")
    assert "Root-Is-Purelib: false" in meta
    assert "Tag: py3-none-%s" % platform in meta
    assert "Version: %s" % version in metadata and "Requires-Dist: numpy" in metadata
    assert "pace/__init__.py" in names and "pace/torch.py" in names and "pace/py.typed" in names
    bundled = {n.split("/")[-1] for n in names if n.startswith("pace/_libs/")}
    needed = set(re.findall(r"\(NEEDED\).*\[(.*)\]", subprocess.run(
        ["readelf", "-d", str(DIST / "lib" / "libpace.so")], capture_output=True, text=True, check=True).stdout))
    system = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "ld-linux-x86-64.so.2",
              "libstdc++.so.6", "libgcc_s.so.1"}
    lazy = set(re.findall(r'^#define PACE_[A-Z]*_SONAME "(.*)"$',
                          (ROOT / "Sources" / "_CLazyLibrary" / "include" / "_CLazyLibrary.h").read_text(), re.M))
    assert lazy and lazy <= bundled and needed - system <= bundled and "LOAD" in bundled, (lazy, needed, bundled)
    assert not needed & lazy, "libpace.so links %s: they must load on first use" % (needed & lazy)
    assert not any(n.endswith((".pyc", ".debug")) for n in names)
    # The bundled library is the stripped one.
    assert lib == (DIST / "lib" / "libpace.so").read_bytes()


def test_bundled_library_is_stripped_with_a_debuglink(wheel):
    stripped, debug = DIST / "lib" / "libpace.so", DIST / "lib" / "libpace.so.debug"
    sections = subprocess.run(["readelf", "-S", "-W", str(stripped)], capture_output=True, text=True,
                              check=True).stdout
    assert ".gnu_debuglink" in sections and ".dynsym" in sections
    assert ".symtab" not in sections and ".debug_" not in sections
    assert debug.is_file()
    unstripped = subprocess.run(["readelf", "-S", "-W", str(WHEEL_LIB)], capture_output=True, text=True,
                                check=True).stdout
    assert ".symtab" in unstripped
    assert stripped.stat().st_size < WHEEL_LIB.stat().st_size
    # Every exported pace_* function survives stripping.
    def exported(path):
        out = subprocess.run(["readelf", "--dyn-syms", "-W", str(path)], capture_output=True, text=True,
                             check=True).stdout
        return sorted(set(re.findall(r"\b(pace_\w+)", out)))
    assert exported(stripped) == exported(WHEEL_LIB) and len(exported(stripped)) > 40
    print("\n%s: %d bytes unstripped, %d stripped; debug info %d bytes"
          % (WHEEL_LIB, WHEEL_LIB.stat().st_size, stripped.stat().st_size, debug.stat().st_size))


def test_wheel_installs_into_a_fresh_venv_and_runs(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    env = clean_env()
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check",
                    str(wheel)], check=True, env=env, cwd=tmp_path, timeout=600)
    work = tmp_path / "elsewhere"
    work.mkdir()
    got = run_smoke(python, work, env)
    site = venv / "lib"
    assert Path(got["file"]).resolve().is_relative_to(site.resolve()), got["file"]
    assert Path(got["library"]).resolve() == (Path(got["file"]).parent / "libpace.so").resolve()
    assert got["build"].startswith("pace %s;" % header_version())
    if WHEEL_LIB == BASELINE and os.uname().machine == "x86_64":
        assert got["fields"]["isa"] == "x86-64"  # the portable build
    assert got["total"] == 1000
    package = Path(got["file"]).parent
    bundled = (package / "_libs").resolve()
    # Nothing bundled is mapped before its first use (import and a schedule).
    assert not [m for m in got["maps"] if Path(m).resolve().parent == bundled], got["maps"]
    # A law fit maps the package's LAPACKE and what LOAD lists for it, not the system's copies.
    load = dict(line.split(":", 1) for line in (package / "_libs" / "LOAD").read_text().splitlines())
    for soname in ["liblapacke.so.3"] + load["liblapacke.so.3"].split():
        mapped = [m for m in got["fit_maps"] if Path(m).name == soname]
        assert mapped and all(Path(m).resolve().parent == bundled for m in mapped), (soname, got["fit_maps"])
    assert abs(got["fitted_L0"] - 2.0) < 1e-3
    with pace.Schedule(SPEC) as s:  # the repository's build (another ISA): same numbers to 1e-14
        ours = s.values(0, 1000).tolist()
    assert max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(got["values"], ours)) < 1e-14


def _package_without_library(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "bindings" / "python" / "pace", pkg / "pace",
                    ignore=shutil.ignore_patterns("__pycache__", "libpace.*"))
    return pkg


def _installed_library(prefix: Path) -> Path:
    """What `make install PREFIX=prefix` puts in PREFIX/lib."""
    (prefix / "lib").mkdir(parents=True)
    target = prefix / "lib" / "libpace.so"
    shutil.copyfile(pace.library_path, target)
    return target


def test_finds_an_installed_library_through_ld_library_path(tmp_path):
    pkg = _package_without_library(tmp_path)
    target = _installed_library(tmp_path / "prefix")
    got = run_smoke(sys.executable, tmp_path, clean_env(PYTHONPATH=str(pkg), LD_LIBRARY_PATH=str(target.parent)))
    assert Path(got["library"]) == target and got["total"] == 1000


def test_finds_a_user_install_in_home_local_lib(tmp_path):
    pkg = _package_without_library(tmp_path)
    target = _installed_library(tmp_path / "home" / ".local")
    got = run_smoke(sys.executable, tmp_path, clean_env(PYTHONPATH=str(pkg), HOME=str(tmp_path / "home")))
    assert Path(got["library"]) == target


def test_searches_the_system_library_directories_after_the_package(tmp_path):
    pkg = _package_without_library(tmp_path)
    env = clean_env(HOME=str(tmp_path / "home"), LD_LIBRARY_PATH=str(tmp_path / "ld"))
    # candidates() needs no library: run the search part of _lib.py alone
    # (importing pace would load one).
    lib_py = pkg / "pace" / "_lib.py"
    program = ("import sys; src = open(sys.argv[1]).read().split('\\n# Declarations (include/pace.h)')[0]; "
               "g = {'__file__': sys.argv[1], '__name__': 'probe'}; exec(src, g); "
               "print('\\n'.join(str(p) for _, p in g['candidates']()[0]))")
    out = subprocess.run([sys.executable, "-c", program, str(lib_py)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    order = [str(pkg / "pace" / "libpace.so"), str(tmp_path / "ld" / "libpace.so"),
             str(tmp_path / "home" / ".local" / "lib" / "libpace.so"), "/usr/local/lib/libpace.so", "/usr/lib/libpace.so"]
    assert [p for p in out if p in order] == order
