"""The documentation points at files that exist, and its examples run.

- Every ``*.md`` file named in the docs (docs/*.md, README.md,
  bindings/python/README.md), in include/pace.h, in the C++ header and in the
  Python package's docstrings exists in the repository (as written, from the
  repository root, or next to the file that names it).
- CI runs exactly the README's test command (the second of its two first
  commands).
- The C example of docs/c-api.md compiles against build/lib/libpace.so with
  -Wall -Wextra -Werror and runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Files whose text is searched for references.
SOURCES = sorted(
    [*ROOT.glob("docs/*.md"), ROOT / "README.md", ROOT / "bindings/python/README.md", ROOT / "include/pace.h",
     ROOT / "bindings/cpp/pace.hpp", *ROOT.glob("bindings/python/pace/*.py")])

# A path-like word ending in .md (not a URL).
REFERENCE = re.compile(r"(?<![\w/.:-])((?:\.\./|[\w-]+/)*[\w.-]+\.md)\b")


def references():
    for source in SOURCES:
        if not source.is_file():
            continue
        for line_number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            for match in REFERENCE.finditer(line):
                if "://" in line[max(0, match.start() - 80):match.start()]:
                    continue  # part of a URL
                yield source, line_number, match.group(1)


def resolves(source: Path, name: str) -> bool:
    for base in (ROOT, source.parent):
        path = (base / name).resolve()
        if path.is_file() and ROOT in path.parents:
            return True
    return False


def test_there_are_references_to_check():
    found = {name for _, _, name in references()}
    assert {"docs/c-api.md", "docs/schedule-spec.md", "docs/runtime.md"} <= found, sorted(found)


def test_every_md_reference_names_a_file_in_the_repository():
    missing = ["%s:%d: %s" % (source.relative_to(ROOT), line, name)
               for source, line, name in references() if not resolves(source, name)]
    assert not missing, "references to files not in the repository:\n" + "\n".join(missing)


def test_the_checker_catches_a_missing_file(tmp_path):
    # The rule the test applies fails on a name that does not exist.
    assert not resolves(ROOT / "docs" / "engine.md", "algorithms.md")
    assert resolves(ROOT / "docs" / "engine.md", "docs/laws.md")
    assert [m.group(1) for m in REFERENCE.finditer("see docs/c-api.md, ../design/x.md and https://a.b/c.md")] \
        == ["docs/c-api.md", "../design/x.md"]  # not the URL's


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README.md has no sh block"
    return [line.split("#")[0].strip() for line in block.group(1).strip().splitlines()]


def test_readme_starts_with_a_demo_and_a_test_command_and_ci_runs_the_test_one():
    demo, test = readme_commands()
    assert demo.endswith("make demo") and "--test" not in demo
    assert test.startswith("scripts/setup --test") and test.endswith("make test")
    ci = [line.split("#")[0].strip() for line in (ROOT / ".ci/run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert ci == [test]


def test_setup_test_installs_every_reference_library():
    setup = (ROOT / "scripts/setup").read_text()
    for package in ("numpy", "pytest", "optax", "jax", "torch", "transformers", "timm", "scikit-learn",
                    "scikit-optimize"):
        assert package in setup, package


def test_c_api_example_compiles_and_runs(tmp_path):
    library = Path(os.environ.get("PACE_LIBRARY") or ROOT / "build/lib/libpace.so")
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not library.is_file():
        pytest.skip("no C compiler or no built library (make lib)")
    text = (ROOT / "docs/c-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```c\n(.*?)```", text, re.S)
    program = next(b for b in blocks if "int main" in b)
    (tmp_path / "example.c").write_text(program)
    exe = tmp_path / "example"
    subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "include"), str(tmp_path / "example.c"),
                    str(library), "-Wl,-rpath," + str(library.parent), "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    assert '"preset"' not in out and '"phases"' in out  # the canonical (expanded) spec
    assert "PACE_E_ARGUMENT" in out and "step" in out


def readme_section_code(heading: str) -> str:
    text = (ROOT / "bindings/python/README.md").read_text(encoding="utf-8")
    start = text.index("\n## " + heading)
    end = text.find("\n## ", start + 1)
    section = text[start:end if end >= 0 else None]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.parametrize("heading", ["Loss-curve laws: `pace.laws`", "The batch engine: `pace.batch`, `pace.Engine`"])
def test_python_readme_examples_run(heading):
    namespace: dict = {}
    exec(compile(readme_section_code(heading), "bindings/python/README.md: " + heading, "exec"), namespace)
    if "law" in namespace:  # the fit recovers the law that made the curves
        law, truth = namespace["law"], namespace["truth"]
        wsd = namespace["wsd"]
        assert abs(law.final_loss(wsd) - truth.final_loss(wsd)) < 1e-6
        assert namespace["best"]["final_loss"] <= law.final_loss(namespace["cosine"]) + 1e-12
    if "m" in namespace:
        import pace

        m, specs = namespace["m"], namespace["specs"]
        assert m.shape == (2, 10_000)
        assert (m[1] == pace.Schedule(specs[1]).values()).all()
