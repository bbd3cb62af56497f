"""``ensgate map test``: golden pairs of a source message and the ENS XML it must give.

A case lives in a folder (by convention ``tests/mappings/<spec id>/``) as files sharing a
stem: ``<case>.<ext>`` is the message under test (any extension but ``.yaml`` and
``.ens.xml``), ``<case>.ens.xml`` the expected filing (``<case>.2.ens.xml`` ... when the case
gives several), and an optional ``<case>.yaml`` says what else the case needs::

    message: fwb.txt            # the message under test (default: the one <case>.* file)
    with: [../fhl/*.txt]        # companion messages (globs, relative to the case file)
    filing: F26                 # force the filing type (default: by shipment shape)
    issued: 2026-11-20T08:00:00Z   # issue time (default: this one; fixes LRN and dates)
    reject: [MAP004]            # expect no filing, and these diagnostic codes
    pending: flight times       # expect no filing: the shipment waits for this (the text the
                                # store reports in waiting_for contains it)

Cases run through the real batch pipeline (schema and ICS2 rules included) with the spec
under test for its message type and the built-in specs for the companions.
"""

from __future__ import annotations

import difflib
import glob
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from ..config import EnsgateConfig
from ..diagnostics import Diagnostic, RuleRef, diag
from ..mapping._spec import MappingSpec, load_spec
from ..pipeline import TranslateOptions, translate_messages
from ..readers._source import SourceMessage
from ._run import ISSUED, builtin_spec_paths, read_inputs, replaces, usable_builtins

_SKIP = (".yaml", ".yml", ".ens.xml", ".md", ".json")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_blank_text=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    name: str
    folder: Path
    message: Path
    companions: tuple[Path, ...] = ()
    filing: str | None = None
    issued: datetime = ISSUED
    reject: tuple[str, ...] | None = None
    pending: str | None = None
    problems: tuple[str, ...] = ()  # what is wrong with the case file itself

    def expected(self, n: int) -> Path:
        return self.folder / (f"{self.name}.ens.xml" if n == 1 else f"{self.name}.{n}.ens.xml")

    def expected_files(self) -> list[Path]:
        out = []
        n = 1
        while self.expected(n).exists():
            out.append(self.expected(n))
            n += 1
        return out


@dataclass(slots=True, kw_only=True)
class CaseResult:
    case: Case
    status: str  # pass, fail, new, error, updated
    diffs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: list[bytes] = field(default_factory=list)


def _load_case_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a case file is a YAML mapping")
    return data


def find_cases(targets: list[Path]) -> list[Case]:
    """Cases in the folders named, or the cases named by one of their files."""
    out: dict[tuple[Path, str], Case] = {}
    for t in targets:
        if t.is_dir():
            stems = sorted({_stem(p) for p in t.iterdir() if p.is_file()
                            and not p.name.startswith(".")})
            for stem in stems:
                c = _case(t, stem)
                if c is not None:
                    out[(t, stem)] = c
        elif t.exists():
            c = _case(t.parent, _stem(t))
            if c is not None:
                out[(t.parent, c.name)] = c
    return list(out.values())


def _stem(p: Path) -> str:
    name = p.name
    if name.endswith(".ens.xml"):
        name = name[:-len(".ens.xml")]
        head, _, tail = name.rpartition(".")
        return head if head and tail.isdigit() else name
    return name.rsplit(".", 1)[0] if "." in name else name


def _case(folder: Path, stem: str) -> Case | None:
    meta: dict[str, Any] = {}
    for ext in (".yaml", ".yml"):
        if (folder / (stem + ext)).exists():
            meta = _load_case_yaml(folder / (stem + ext))
    if "message" in meta:
        message = folder / str(meta["message"])
    else:
        cands = [p for p in sorted(folder.glob(stem + ".*"))
                 if _stem(p) == stem and not p.name.endswith(_SKIP)]
        if not cands:
            return None
        message = cands[0]
    comps: list[Path] = []
    problems: list[str] = []
    for pattern in meta.get("with", []) or []:  # relative to the case file, or absolute
        hits = sorted(Path(p) for p in glob.glob(str(folder / str(pattern))))
        if not hits:
            problems.append(f"with: {pattern!r} matches no file")
        comps.extend(hits)
    issued = meta.get("issued", ISSUED)
    if isinstance(issued, str):
        issued = datetime.fromisoformat(issued.replace("Z", "+00:00"))
    reject = meta.get("reject")
    pending = meta.get("pending")
    return Case(name=stem, folder=folder, message=message, companions=tuple(comps),
                filing=meta.get("filing"), issued=issued,
                reject=None if reject is None else tuple(str(c) for c in reject),
                pending=None if pending is None else str(pending),
                problems=tuple(problems))


def canonical(xml: bytes) -> str:
    """The text compared: re-indented, so layout edits of an expected file do not count."""
    root = etree.fromstring(xml, _PARSER)
    etree.indent(root, space="  ")
    return str(etree.tostring(root, encoding="unicode")) + "\n"


def _mappings(spec: MappingSpec, msgs: list[SourceMessage]) -> tuple[str, ...]:
    """The spec under test, then the built-ins the companion messages need (only those: a
    spec is compiled again for every batch)."""
    kinds = {(m.format, m.kind, m.version) for m in msgs}
    others = [p for p, s in zip(builtin_spec_paths(), _loaded(), strict=False)
              if s is not None and not replaces(spec, s) and any(s.matches(*k) for k in kinds)]
    return (spec.file, *others)


def _loaded() -> list[MappingSpec | None]:
    names = {s.file.rsplit("/", 1)[-1]: s for s in usable_builtins()}
    return [names.get(Path(p).name) for p in builtin_spec_paths()]


def run_case(spec: MappingSpec, case: Case, *, update: bool = False,
             config: EnsgateConfig | None = None) -> CaseResult:
    rule = RuleRef(spec=str(case.message))
    if not case.message.exists():
        return CaseResult(case=case, status="error", diagnostics=[diag(
            "MTS002", f"case {case.name}: message file {case.message} not found", rule=rule)])
    if case.problems:
        return CaseResult(case=case, status="error", diagnostics=[
            diag("MTS002", f"case {case.name}: {p}", rule=rule) for p in case.problems])
    msgs = read_inputs([case.message, *case.companions])
    opts = TranslateOptions(config=config, filing=case.filing, issued=case.issued,
                            today=case.issued.date().isoformat(), mappings=_mappings(spec, msgs))
    result = translate_messages(msgs, opts)
    mine = str(case.message)
    filings = sorted((f for f in result.filings
                      if any(label.startswith(mine + "#") for label in f.messages)),
                     key=lambda f: f.lrn)
    own_rejects = [r for r in result.rejects if r.message.file == mine]
    res = CaseResult(case=case, status="pass", outputs=[f.xml for f in filings])
    if case.pending is not None:
        waits = [p.waiting_for for p in result.pending
                 if any(label.startswith(mine + "#") for label in p.messages)]
        if filings or not any(case.pending in w for w in waits):
            res.status = "fail"
            res.diagnostics.append(diag(
                "MTS001", f"case {case.name}: expected the shipment to wait for "
                f"{case.pending!r}", rule=rule, expected=case.pending,
                found="; ".join(waits) or f"{len(filings)} filing(s)"))
        return res
    if case.reject is not None:
        codes = {d.code for r in own_rejects for d in r.diagnostics}
        missing = [c for c in case.reject if c not in codes]
        if filings or not own_rejects or missing:
            res.status = "fail"
            res.diagnostics.append(diag(
                "MTS001", f"case {case.name}: expected a reject with {', '.join(case.reject)}",
                rule=rule, expected=", ".join(case.reject),
                found=", ".join(sorted(codes)) or f"{len(filings)} filing(s)"))
        return res
    if not filings:
        res.status = "error"
        waits = [p.waiting_for for p in result.pending
                 if any(label.startswith(mine + "#") for label in p.messages)]
        res.diagnostics.append(diag("MTS002", f"case {case.name}: no filing from "
                                    f"{case.message.name}", rule=rule,
                                    found=f"pending: {waits[0]}" if waits else "rejected"))
        for r in own_rejects or result.rejects:
            res.diagnostics.extend(d for d in r.diagnostics if d.is_error)
        return res
    expected = case.expected_files()
    if update:
        for n, f in enumerate(filings, start=1):
            case.expected(n).write_bytes(f.xml)
        for stale in expected[len(filings):]:
            stale.unlink()
        res.status = "updated"
        return res
    if not expected:
        res.status = "new"
        res.diagnostics.append(diag("MTS003", f"case {case.name}: no {case.name}.ens.xml yet",
                                    rule=rule, expected=f"{case.name}.ens.xml"))
        return res
    for n in range(max(len(expected), len(filings))):
        want = canonical(expected[n].read_bytes()) if n < len(expected) else ""
        got = canonical(filings[n].xml) if n < len(filings) else ""
        if want != got:
            name = case.expected(n + 1).name
            res.diffs.append("".join(difflib.unified_diff(
                want.splitlines(keepends=True), got.splitlines(keepends=True),
                fromfile=f"expected/{name}", tofile=f"actual/{name}", n=2)))
    if res.diffs:
        res.status = "fail"
        res.diagnostics.append(diag("MTS001", f"case {case.name}: output differs from "
                                    "the expected ENS XML", rule=rule))
    return res


def default_case_dir(spec: MappingSpec) -> Path:
    return Path("tests") / "mappings" / spec.id


def test_spec(spec_path: str | Path, targets: list[Path] | None = None, *,
              update: bool = False, config: EnsgateConfig | None = None
              ) -> tuple[MappingSpec, list[CaseResult]]:
    """Run every case of ``targets`` (default: ``tests/mappings/<spec id>/``)."""
    spec = load_spec(spec_path)
    cases = find_cases(targets or [default_case_dir(spec)])
    return spec, [run_case(spec, c, update=update, config=config) for c in cases]


test_spec.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def junit_xml(spec: MappingSpec, results: list[CaseResult]) -> bytes:
    """The results as JUnit XML (one testcase per case), for CI dashboards."""
    suite = etree.Element("testsuite", name=f"ensgate map test {spec.id}",
                          tests=str(len(results)),
                          failures=str(sum(r.status == "fail" for r in results)),
                          errors=str(sum(r.status in ("error", "new") for r in results)))
    for r in results:
        case = etree.SubElement(suite, "testcase", classname=spec.id, name=r.case.name,
                                file=str(r.case.message))
        if r.status in ("fail", "error", "new"):
            tag = "failure" if r.status == "fail" else "error"
            el = etree.SubElement(case, tag, message=r.diagnostics[0].message
                                  if r.diagnostics else r.status)
            el.text = "\n".join([*r.diffs, *(str(d) for d in r.diagnostics)])
    out: bytes = etree.tostring(suite, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    return out
