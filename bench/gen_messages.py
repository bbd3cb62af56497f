"""Generates N realistic FWB/17 messages (EU-bound direct AWBs with full ICS2 data) plus the
FFM lines that give them flight times, for the benchmarks. Deterministic for a given seed."""

from __future__ import annotations

import random
from collections.abc import Iterator

_ORIGINS = [("HKG", "CX", "HK"), ("PVG", "MU", "CN"), ("ICN", "KE", "KR"), ("SIN", "SQ", "SG"),
            ("JFK", "AA", "US"), ("DXB", "EK", "AE"), ("BKK", "TG", "TH"), ("NRT", "NH", "JP")]
_DESTS = [("FRA", "DE", "60549", "FRANKFURT AM MAIN", "HANAUER LANDSTRASSE", "4969"),
          ("AMS", "NL", "1118", "SCHIPHOL", "EVERT VAN DE BEEKSTRAAT", "3120"),
          ("CDG", "FR", "95700", "ROISSY EN FRANCE", "RUE DES VOYELLES", "3314"),
          ("MXP", "IT", "21010", "FERNO", "VIA DELLE INDUSTRIE", "39033"),
          ("VIE", "AT", "1300", "SCHWECHAT", "CARGOSTRASSE", "431")]
_GOODS = [("UNMOUNTED GLASS OPTICAL LENSES FOR MICROSCOPES", "900190"),
          ("LED HORTICULTURAL GROW LIGHTS WITH DRIVERS", "940542"),
          ("STAINLESS STEEL KITCHEN KNIVES WITH FIXED BLADES", "821191"),
          ("HYDRAULIC GEAR PUMPS FOR INDUSTRIAL MACHINERY", "841360"),
          ("COTTON KNITTED MENS T-SHIRTS", "610910")]


def _awb(rng: random.Random) -> str:
    first7 = rng.randrange(1_000_000, 9_999_999)
    return f"{rng.choice(['160', '176', '618', '057', '020'])}-{first7}{first7 % 7}"


def _chunks(text: str, n: int) -> list[str]:
    return [text[i:i + n] for i in range(0, len(text), n)]


def fwb(rng: random.Random, awb: str, orig: tuple[str, str, str],
        dest: tuple[str, str, str, str, str, str], day: int) -> str:
    o, carrier, occ = orig
    d, dcc, post, city, street, phone = dest
    pcs = rng.randrange(1, 40)
    wt = round(rng.uniform(5, 900), 1)
    desc, hs = rng.choice(_GOODS)
    ng = _chunks(desc, 20)
    lines = [
        "FWB/17", f"{awb}{o}{d}/T{pcs}K{wt}MC{round(wt / 160, 2)}",
        f"FLT/{carrier}{rng.randrange(100, 999):04d}/{day:02d}", f"RTG/{d}{carrier}",
        "SHP", f"NAM/{rng.choice(['PEARL', 'JADE', 'LOTUS', 'HARBOUR'])} EXPORT TRADING CO LTD",
        f"ADR/{rng.randrange(1, 300)} INDUSTRIAL ROAD", "LOC/EXPORT CITY",
        f"/{occ}/{rng.randrange(100000, 999999)}",
        "CNE", f"NAM/{rng.choice(['NORD', 'SUD', 'WEST', 'OST'])} IMPORT GMBH",
        f"ADR/{street} {rng.randrange(1, 400)}", f"LOC/{city}",
        f"/{dcc}/{post}/TE/{phone}{rng.randrange(1000000, 9999999)}",
        "CVD/USD//PP/NVD/" + f"{rng.randrange(1000, 90000)}.00/XXX",
        f"RTD/1/P{pcs}/K{wt}/CQ/W{wt}/R4.85/T{round(wt * 4.85, 2)}",
        f"/NG/{ng[0]}", *(f"/{i + 2}/NG/{c}" for i, c in enumerate(ng[1:])),
        f"/{len(ng) + 1}/NH/{hs}", f"/{len(ng) + 2}/NS/{pcs}",
        f"PPD/WT{round(wt * 4.85, 2)}", "CER/EXPORT AGENT", f"ISU/{day:02d}NOV26/EXPORT CITY",
        "REF///AGT/EXPORTAGENT/" + o, "SPH/SPX",
        f"OCI/{occ}/SHP/T/{occ}{rng.randrange(10**8, 10**9)}",
        f"/{dcc}/CNE/T/{dcc}{rng.randrange(10**8, 10**9)}",
    ]
    return "\n".join(lines) + "\n"


def ffm(flight: str, o: str, d: str, dcc: str, day: int, awbs: list[tuple[str, str]]) -> str:
    # departure 01:30 local, arrival 23:30 local the same day: after departure in UTC for
    # every origin in the table (at most 14 h ahead of the destination)
    lines = ["FFM/8", f"1/{flight}/{day:02d}NOV0130/{o}/BLXA/{dcc}/{day:02d}NOV2330/{d}",
             f"{d}/{day:02d}NOV2330"]
    lines += [f"{a}{o}{d}/T1K10/CARGO" for a, _ in awbs]
    lines.append("LAST")
    return "\n".join(lines) + "\n"


def generate(n: int, seed: int = 7) -> Iterator[str]:
    """Yields ``n`` FWB messages, each followed by an FFM naming its flight."""
    rng = random.Random(seed)
    for _ in range(n):
        orig, dest, day = rng.choice(_ORIGINS), rng.choice(_DESTS), rng.randrange(1, 28)
        awb = _awb(rng)
        msg = fwb(rng, awb, orig, dest, day)
        flight = msg.splitlines()[2].split("/")[1]
        yield msg
        yield ffm(flight, orig[0], dest[0], dest[1], day, [(awb, "")])
