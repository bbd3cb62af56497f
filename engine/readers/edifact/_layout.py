"""Segment layouts, segment groups and qualifier names: the reader's tables as data.

Element/component indexes are 0-based after the tag (``NAD+CZ`` -> element 0 = ``CZ``). The
qualifier tables name what a qualified segment means for the owning record: ``RFF+AWB`` sets
``awb``, ``LOC+5`` sets ``departure``, ``DTM+132`` sets ``arrival_time`` (and
``arrival_time_format`` from 2379). Code meanings are from the UN/EDIFACT code lists (3035,
1153, 3227, 2005, 6311/6313, 4451, 6069) [V-D]; which codes an air-cargo MIG uses is [I] and
listed in docs/edifact-reader.md.
"""

from __future__ import annotations

# Supported message types, and recognised messages that are no ENS input.
MESSAGE_KINDS = frozenset(["CUSCAR", "IFTMIN"])
NOT_ENS_KINDS = frozenset(["CONTRL", "APERAK", "CUSRES", "IFTSTA", "IFTMBC", "BANSTA"])

# tag -> record name in the source tree
RECORD_NAMES: dict[str, str] = {
    "BGM": "bgm", "DTM": "dtm", "RFF": "rff", "NAD": "party", "CTA": "contact", "COM": "com",
    "TDT": "flight", "LOC": "loc", "CNI": "consignment", "GID": "goods", "PAC": "pac",
    "FTX": "ftx", "MEA": "mea", "PIA": "pia", "MOA": "moa", "GIS": "gis", "CNT": "cnt",
    "DIM": "dim", "CPI": "cpi", "CUX": "cux", "TSR": "tsr", "HAN": "han", "SGP": "sgp",
    "TOD": "tod", "EQD": "eqd", "TCC": "tcc", "GDS": "gds", "TMD": "tmd",
}

# tag -> (field, element, component) for the segment's own record
FIELDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "BGM": (("document", 0, 0), ("number", 1, 0), ("function", 2, 0)),
    "DTM": (("qualifier", 0, 0), ("value", 0, 1), ("format", 0, 2)),
    "RFF": (("qualifier", 0, 0), ("number", 0, 1)),
    "NAD": (("qualifier", 0, 0), ("id", 1, 0), ("id_list", 1, 1), ("id_agency", 1, 2),
            ("city", 5, 0), ("subdivision", 6, 0), ("postcode", 7, 0), ("country", 8, 0)),
    "CTA": (("function", 0, 0), ("department", 1, 0), ("name", 1, 1)),
    "COM": (("number", 0, 0), ("type", 0, 1)),
    "TDT": (("stage", 0, 0), ("number", 1, 0), ("mode", 2, 0), ("mode_name", 2, 1),
            ("means", 3, 0), ("carrier", 4, 0), ("carrier_name", 4, 3),
            ("registration", 7, 0), ("craft_name", 7, 3), ("nationality", 7, 4)),
    "LOC": (("qualifier", 0, 0), ("code", 1, 0), ("code_list", 1, 1), ("code_agency", 1, 2),
            ("name", 1, 3)),
    "CNI": (("seq", 0, 0), ("document", 1, 0)),
    "GID": (("number", 0, 0), ("packages", 1, 0), ("package_type", 1, 1)),
    "PAC": (("count", 0, 0), ("package_type", 2, 0)),
    "FTX": (("qualifier", 0, 0), ("function", 1, 0), ("code", 2, 0), ("language", 4, 0)),
    "MEA": (("purpose", 0, 0), ("property", 1, 0), ("unit", 2, 0), ("value", 2, 1)),
    "PIA": (("function", 0, 0), ("code", 1, 0), ("code_type", 1, 1)),
    "MOA": (("qualifier", 0, 0), ("amount", 0, 1), ("currency", 0, 2)),
    "GIS": (("code", 0, 0), ("code_list", 0, 1), ("code_agency", 0, 2)),
    "CNT": (("qualifier", 0, 0), ("value", 0, 1), ("unit", 0, 2)),
    "DIM": (("qualifier", 0, 0), ("unit", 1, 0), ("length", 1, 1), ("width", 1, 2),
            ("height", 1, 3)),
    "CPI": (("charge", 0, 0), ("payment_method", 1, 0), ("payment", 2, 0)),
    "CUX": (("qualifier", 0, 0), ("currency", 0, 1)),
    "HAN": (("code", 0, 0), ("code_list", 0, 1), ("code_agency", 0, 2), ("text", 0, 3)),
}
# Repeating components read as child records ``<name>[] -> text`` (one per non-empty line).
LINES: dict[str, tuple[tuple[str, int], ...]] = {
    "NAD": (("name_and_address", 2), ("name", 3), ("street", 4)),
    "FTX": (("text", 3),),
}

# Segment groups: the record that opens a group, and the segments it takes (any other segment
# closes it and goes to an enclosing group, in the way EDIFACT branching diagrams read).
TRIGGERS = frozenset(["NAD", "TDT", "CNI", "GID", "TCC", "EQD"])
GROUPS: dict[str, dict[str, frozenset[str]]] = {
    "CUSCAR": {
        "": frozenset(["BGM", "DTM", "RFF", "FTX", "NAD", "TDT", "CNI", "GIS", "MOA", "LOC",
                       "CNT", "CTA", "COM", "EQD"]),
        "NAD": frozenset(["CTA", "COM", "LOC"]),
        "TDT": frozenset(["LOC", "DTM"]),
        "CNI": frozenset(["RFF", "DTM", "NAD", "LOC", "MOA", "GIS", "FTX", "MEA", "GID", "CNT",
                          "DIM", "PAC", "TOD", "CPI", "CUX", "TSR", "HAN"]),
        "GID": frozenset(["PAC", "FTX", "MEA", "PIA", "DIM", "LOC", "DTM", "GIS", "SGP", "MOA",
                          "HAN", "TMD", "GDS", "PCI"]),
        "EQD": frozenset(["SEL", "MEA", "DIM"]),
    },
    "IFTMIN": {
        "": frozenset(["BGM", "CTA", "COM", "DTM", "TSR", "CUX", "MOA", "FTX", "CNT", "DOC",
                       "GDS", "LOC", "TOD", "RFF", "GOR", "CPI", "TCC", "TDT", "NAD", "GID",
                       "EQD", "MEA", "HAN", "TPL"]),
        "NAD": frozenset(["CTA", "COM", "LOC"]),
        "TDT": frozenset(["LOC", "DTM"]),
        "TCC": frozenset(["PRI", "EQN", "PCD", "MOA", "QTY", "CUX"]),
        "GID": frozenset(["PAC", "FTX", "MEA", "PIA", "DIM", "LOC", "DTM", "GIS", "SGP", "MOA",
                          "HAN", "TMD", "GDS", "PCI", "RFF", "TMP", "RNG"]),
        "EQD": frozenset(["SEL", "MEA", "DIM", "EQN"]),
    },
}

# NAD 3035 -> party record name (others stay ``party[]`` with their ``qualifier``).
PARTY_ROLES = {"CZ": "consignor", "CN": "consignee", "N1": "notify"}
# Roles other MIGs give with other 3035 codes, taken only when the record has no party with the
# code above (so NAD+CZ wins over NAD+SH): SH shipper, OS original shipper, NI notify party
# [I: seen in IFTMIN/CUSCAR MIGs and exporter output; code meanings from list 3035].
PARTY_ALIASES = {"consignor": ("SH", "OS"), "notify": ("NI", "N2")}
# RFF 1153 -> field on the owning record.
# MB master bill / BH house bill / BM bill of lading are the sea-MIG codes some air feeds
# reuse [I: first qualifier found wins, so RFF+AWB/MWB/HWB are taken when both are sent].
RFF_FIELDS = {"AWB": "awb", "HWB": "hawb", "MWB": "mawb", "ABT": "customs_declaration",
              "CU": "consignor_reference", "MB": "mawb", "BH": "hawb", "BM": "awb"}
# LOC 3227 -> field on the owning record.
LOC_FIELDS = {"5": "departure", "125": "last_loading", "60": "arrival", "9": "loading",
              "11": "discharge", "7": "delivery", "8": "destination", "76": "origin",
              "22": "customs_office", "27": "country_of_origin",
              "84": "origin", "85": "destination"}  # 84/85: an air IFTMIN MIG's origin and
# destination of the waybill [I]
# DTM 2005 -> field (and ``<field>_format`` from 2379) on the owning record.
DTM_FIELDS = {"132": "arrival_time", "133": "departure_time", "178": "actual_arrival",
              "186": "actual_departure", "137": "document_date", "189": "departure_time",
              "232": "arrival_time"}
# MEA 6311 + 6313 -> (value field, unit field).
MEA_FIELDS = {("AAE", "G"): ("gross_weight", "weight_unit"),
              ("AAE", "AAB"): ("gross_weight", "weight_unit"),
              ("WT", "G"): ("gross_weight", "weight_unit"),
              # 6313 AAD total gross weight [V-D]; WT/AAE without 6313 and 6311 AAI "item
              # weight" are read as gross weight [I: seen in exporter output]
              ("AAE", "AAD"): ("gross_weight", "weight_unit"),
              ("WT", "AAD"): ("gross_weight", "weight_unit"),
              ("WT", "AAB"): ("gross_weight", "weight_unit"),
              ("WT", ""): ("gross_weight", "weight_unit"),
              ("AAE", ""): ("gross_weight", "weight_unit"),
              ("AAI", ""): ("gross_weight", "weight_unit"),
              ("AAE", "AAW"): ("volume", "volume_unit"),
              ("AAE", "ABJ"): ("volume", "volume_unit"),
              ("CT", "SQ"): ("pieces", "")}
# CNT 6069 -> (value field, unit field).
CNT_FIELDS = {"7": ("total_gross_weight", "total_weight_unit"),
              "11": ("total_packages", "")}
# FTX 4451 -> name of the text child list (``description[] -> text`` for AAA).
FTX_CHILDREN = {"AAA": "description", "HAN": "handling", "AAI": "general_information"}

# Numeric fields whose decimal mark is normalised to ``.``: ISO 9735 lets the sender use ``,``
# or ``.`` whatever UNA says (and some UNA declare ``,``) [V-D].
NUMERIC: dict[str, frozenset[str]] = {
    "MEA": frozenset(["value"]), "CNT": frozenset(["value"]), "MOA": frozenset(["amount"]),
    "DIM": frozenset(["length", "width", "height"]),
}
