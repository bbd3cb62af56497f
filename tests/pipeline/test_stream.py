"""Reading in pieces and translating in windows: same positions, same filings, flat memory."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from ensgate import TranslateOptions, translate, translate_to_folder
from ensgate.pipeline import iter_pieces
from ensgate.pipeline._stream import iter_message_pieces
from ensgate.readers.cargoimp import read_cargoimp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_messages import generate

OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")


def _big_file(tmp_path: Path, n: int, crlf: bool = False) -> Path:
    text = "\n".join(generate(n, seed=3))
    if crlf:
        text = text.replace("\n", "\r\n")
    p = tmp_path / "big.txt"
    p.write_bytes(text.encode())
    return p


def test_pieces_cut_at_message_boundaries(tmp_path: Path) -> None:
    path = _big_file(tmp_path, 60)
    pieces = list(iter_pieces(path, 4096))
    assert len(pieces) > 5
    assert b"".join(p for p, _ in pieces) == path.read_bytes()
    for piece, _ in pieces[1:]:
        assert piece[:4] in (b"FWB/", b"FFM/")


def test_positions_in_pieces_equal_whole_file_positions(tmp_path: Path) -> None:
    for crlf in (False, True):
        path = _big_file(tmp_path, 40, crlf=crlf)
        whole = read_cargoimp(path.read_bytes(), file=str(path))
        pieced = [m for msgs, _ in iter_message_pieces([path], max_bytes=1 << 30,
                                                       piece_bytes=2048) for m in msgs]
        assert len(pieced) == len(whole)
        for a, b in zip(whole, pieced, strict=True):
            assert (a.index, a.first_line, a.key) == (b.index, b.first_line, b.key)
            fa = a.root.walk().__next__().children
            fb = b.root.walk().__next__().children
            assert fa.keys() == fb.keys()
            awb_a = a.root.child("awb") or a.root.child("flight")
            awb_b = b.root.child("awb") or b.root.child("flight")
            assert awb_a is not None and awb_b is not None
            assert [f.pos for f in awb_a.fields.values()] == [f.pos for f in awb_b.fields.values()]


def test_windows_give_the_same_filings_when_shipments_stay_together(tmp_path: Path) -> None:
    path = _big_file(tmp_path, 50)
    expected = {f.lrn: f.xml for f in translate([path], OPTS).filings}
    out = tmp_path / "out"
    # a window closes between pieces; one FWB + its FFM per ~1 KB, so 64 KB pieces keep pairs
    summary = translate_to_folder([path], out, OPTS, window=10, piece_bytes=1 << 16)
    assert summary["messages_in"] == 100
    assert summary["messages_in"] == (summary["messages_filed"] + summary["messages_rejected"]
                                      + summary["messages_supporting"])
    written = {p.stem: p.read_bytes() for p in out.glob("*.xml")}
    assert written == expected
    index = [json.loads(line) for line in (out / "filings.jsonl").read_text().splitlines()]
    assert {i["lrn"] for i in index} == set(expected)
