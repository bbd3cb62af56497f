"""Re-bless the golden ENS files after a reviewed change: python tools/bless_golden.py [CASE...]"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "golden"))
from golden import EXPECTED, cases, run_case

if __name__ == "__main__":
    all_cases = cases()
    for name in sys.argv[1:] or sorted(all_cases):
        result = run_case(all_cases[name])
        if result.rejects:
            print(f"{name}: REJECTS, not blessed:", [r.reason for r in result.rejects])
            continue
        folder = EXPECTED / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for f in result.filings:
            (folder / f"{f.lrn}.xml").write_bytes(f.xml)
        print(f"{name}: {len(result.filings)} filing(s) blessed")
