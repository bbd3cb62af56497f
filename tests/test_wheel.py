"""The built wheel carries the mappings, templates, schemas and data it needs: install it into
a fresh virtual environment outside the checkout and translate a sample there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "cargo-imp"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def test_wheel_installs_and_translates_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "-w", dist, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(dist.glob("ensgate-*.whl"))
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path).returncode == 0
    py = venv / "bin" / "python"
    inst = run(sys.executable, "-m", "pip", "--python", py, "install", "--no-deps",
               "--no-index", wheel, cwd=tmp_path)
    assert inst.returncode == 0, inst.stderr[-2000:]
    # Dependencies (lxml, jinja2 ...) come from this test's environment, not from the network;
    # a plain path entry does not run that environment's editable-install hook for ensgate.
    site = run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
               cwd=tmp_path).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    work = tmp_path / "work"
    work.mkdir()
    for f in SAMPLES.glob("s3-*"):
        shutil.copy(f, work / f.name)
    where = run(py, "-c", "import ensgate; print(ensgate.__file__)", cwd=work)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    version = run(venv / "bin" / "ensgate", "--version", cwd=work)
    assert version.returncode == 0 and "ensgate" in version.stdout
    out = run(venv / "bin" / "ensgate", "translate", ".", "--out", "out", "-q", cwd=work)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    written = list((work / "out").glob("*.xml"))
    assert [p.name for p in written] == ["EGF2818088351270.xml"]
    assert b"<IE3F28" in written[0].read_bytes()
