"""EDIFACT segment throughput: our lexer (positions + UNT/UNZ control counts) vs pydifact.

Both read the same multi-MB interchange built from the S1 CUSCAR sample (its message repeated,
control counts kept right). pydifact only tokenises and splits; ours also tracks segment index,
byte offset, line and column and checks every UNT and UNZ count. Floor: 15x pydifact.

    python bench/bench_edifact.py [--messages N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import time
import warnings
from pathlib import Path

from ensgate.readers.edifact import Delimiters, EnvelopeWalker, Lexer, read_edifact

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "edifact" / "s1-cuscar-MU0553-pvg-bru-three-houses.edi"
TARGET = 15.0


def build(messages: int) -> str:
    """One interchange holding ``messages`` copies of the sample's CUSCAR message."""
    text = SAMPLE.read_text("latin-1")
    segs = [s.strip() for s in text.split("'") if s.strip()]
    unb = next(s for s in segs if s.startswith("UNB"))
    body = segs[segs.index(next(s for s in segs if s.startswith("UNH"))):
                segs.index(next(s for s in segs if s.startswith("UNT"))) + 1]
    out = ["UNA:+.? '", unb + "'"]
    for n in range(1, messages + 1):
        out.append(f"UNH+M{n}+" + body[0].split("+", 2)[2] + "'")
        out.extend(s + "'" for s in body[1:-1])
        out.append(f"UNT+{len(body)}+M{n}'")
    out.append(f"UNZ+{messages}+" + unb.rsplit("+", 1)[1] + "'")
    return "\r\n".join(out) + "\r\n"


def ours(text: str) -> int:
    lexer = Lexer(text, Delimiters(), start=9)
    walker = EnvelopeWalker("bench", keep=False)  # like theirs: segments not kept
    walker.feed_blocks(lexer.blocks())
    walker.finish(None)
    assert not any(m.diagnostics for m in walker.messages), "control counts must be right"
    return lexer.count


def theirs(text: str) -> int:
    from pydifact.parser import Parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(1 for s in Parser().parse(text) if s.tag != "UNA")


def best(fn: object, text: str, repeat: int) -> tuple[float, int]:
    """Best of ``repeat`` runs in CPU time (robust to other load on the machine), the
    cyclic GC paused for both libraries alike (the reader pauses it in production too)."""
    times, n = [], 0
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            n = fn(text)  # type: ignore[operator]
            times.append(time.process_time() - t0)
        finally:
            gc.enable()
    return min(times), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    text = build(args.messages)
    size = len(text.encode("latin-1"))
    t_ours, n_ours = best(ours, text, args.repeat)
    t_theirs, n_theirs = best(theirs, text, args.repeat)
    assert n_ours == n_theirs, (n_ours, n_theirs)
    t_full, _ = best(lambda t: len(read_edifact(t.encode("latin-1"), file="bench")), text, 1)
    ours_rate, their_rate = n_ours / t_ours, n_theirs / t_theirs
    ratio = ours_rate / their_rate
    print(f"interchange: {size / 1e6:.1f} MB, {args.messages} CUSCAR messages, {n_ours} segments")
    print(f"{'':28} {'pydifact segs/s':>16} {'ours segs/s':>14} {'ratio':>7} {'target':>7}")
    print(f"{'lex + positions + counts':28} {their_rate:16,.0f} {ours_rate:14,.0f} "
          f"{ratio:6.1f}x {TARGET:6.0f}x  {'OK' if ratio >= TARGET else 'BELOW TARGET'}")
    print(f"{'full read (source trees)':28} {'':>16} {n_ours / t_full:14,.0f}")


if __name__ == "__main__":
    main()
