"""Every diagnostic code ensgate emits, with its default severity and a one-line title.

Codes are stable: tools and operators filter on them. Never reuse or renumber a code; add new
ones in the section of the stage that emits them. ``docs/diagnostics.md`` lists them for users
(a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._model import Severity

E, W, I, F = Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.FATAL  # noqa: E741


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    severity: Severity
    title: str


_ENTRIES: tuple[tuple[str, Severity, str], ...] = (
    # -- input: files and format detection --------------------------------------------------
    ("SRC001", E, "file could not be read"),
    ("SRC002", E, "input larger than the configured size limit"),
    ("SRC003", E, "content is not a recognised message format"),
    ("SRC004", W, "bytes that are not valid UTF-8 were decoded as Latin-1"),
    ("SRC005", W, "control characters removed from the input"),
    # -- Cargo-IMP reader ---------------------------------------------------------------------
    ("IMP001", E, "unknown Cargo-IMP message identifier"),
    ("IMP002", I, "status or answer message (not an ENS input) recognised and routed"),
    ("IMP003", E, "message type recognised but not an ENS input"),
    ("IMP004", W, "message version not known; read with the nearest known layout"),
    ("IMP010", E, "mandatory line missing"),
    ("IMP011", E, "field does not match its format"),
    ("IMP012", W, "line longer than 69 characters"),
    ("IMP013", W, "non-ASCII character in the message"),
    ("IMP014", W, "AWB serial fails the modulus-7 check digit"),
    ("IMP015", W, "unknown line read as a continuation of the previous group"),
    ("IMP016", E, "multi-part message incomplete"),
    ("IMP017", E, "FHL carries parties but more than one house: parties attached to no house"),
    ("IMP018", E, "message is empty after the envelope was removed"),
    ("IMP019", W, "line out of the expected order"),
    ("IMP020", W, "message longer than 3500 characters"),
    ("IMP021", W, "Type-B envelope or transport noise removed"),
    ("IMP022", W, "duplicate part of a multi-part message ignored"),
    ("IMP023", W, "FFM pieces of an AWB split over several lines do not add up to the total"),
    ("IMP024", I, "possible duplicate message (PDM)"),
    ("IMP025", W, "field value truncated by the 35/17/9 character limits of Cargo-IMP"),
    ("IMP026", W, "OCI line re-aligned on its code positions (wrong number of leading slashes)"),
    ("IMP027", E, "line that a message holds once (AWB, HCD, MBI, SHP, CNE...) repeated"),
    # -- ANSI X12 reader -------------------------------------------------------------------------
    ("X12001", E, "ISA interchange header is malformed (length or fixed positions)"),
    ("X12002", E, "interchange truncated: envelope not closed"),
    ("X12003", E, "control count in a trailer (SE01, GE01, IEA01) does not match"),
    ("X12004", E, "control number in a trailer (SE02, GE02, IEA02) does not match its header"),
    ("X12005", W, "byte outside the X12 character set"),
    ("X12006", E, "segment is malformed or out of its envelope"),
    ("X12007", E, "transaction set recognised but not an ENS input"),
    ("X12008", I, "functional acknowledgement (997/999) recognised and routed"),
    # -- UN/EDIFACT reader (CUSCAR, IFTMIN) ------------------------------------------------------
    ("EDI001", E, "EDIFACT interchange header (UNA/UNB) missing or malformed"),
    ("EDI002", E, "UNB syntax identifier unknown or not supported"),
    ("EDI003", W, "bytes outside the declared character repertoire; decoded as Latin-1"),
    ("EDI004", E, "bytes that cannot be decoded with the declared character set"),
    ("EDI005", E, "interchange or message truncated (UNT/UNZ/UNE missing)"),
    ("EDI006", E, "data after the last segment terminator (unterminated segment)"),
    ("EDI007", E, "release character with nothing to release at the end of the data"),
    ("EDI008", E, "UNT segment count does not match the segments of the message"),
    ("EDI009", E, "UNT/UNE/UNZ reference does not match its header"),
    ("EDI010", W, "UNZ/UNE count does not match the messages or groups sent"),
    ("EDI011", E, "EDIFACT message type not supported"),
    ("EDI012", I, "EDIFACT service or answer message (not an ENS input) recognised"),
    ("EDI013", W, "message version not known; read with the nearest known layout"),
    ("EDI014", E, "mandatory segment or reference missing"),
    ("EDI015", W, "segment outside a message or not expected here; ignored"),
    ("EDI016", W, "lower-case letters in a UNOA interchange"),
    ("EDI017", E, "house consignment names no master air waybill"),
    ("EDI018", E, "data segments outside any message (UNH missing): kept as a reject"),
    # -- Cargo-XML reader (XFWB, XFZB, XFHL, XFFM) -----------------------------------------------
    ("CXM001", E, "Cargo-XML document is not well-formed"),
    ("CXM002", E, "XML document is not a Cargo-XML message (root element or namespace unknown)"),
    ("CXM003", W, "Cargo-XML namespace missing or of an unknown version; read by element name"),
    ("CXM004", E, "Cargo-XML message type recognised but not an ENS input"),
    ("CXM005", E, "MessageHeaderDocument TypeCode contradicts the root element"),
    ("CXM006", W, "Cargo-XML VersionID missing or older than 3.00; read with the 3.00 layout"),
    ("CXM007", E, "master air waybill number missing"),
    ("CXM008", W, "air waybill number malformed or fails the modulus-7 check digit"),
    ("CXM009", I, "element not known to the Cargo-XML reader ignored"),
    ("CXM010", E, "mandatory Cargo-XML element missing"),
    ("CXM011", W, "transport end-of-message marker after a Cargo-XML document ignored"),
    ("CXM012", W, "Cargo-XML declared encoding does not match the bytes; read in the encoding "
                  "the bytes show"),
    ("CXM013", W, "Cargo-XML message found inside an envelope element; the envelope is ignored"),
    ("CXM014", E, "text after a Cargo-XML document that is not a document; kept as a reject"),
    # -- mapping specs and evaluation -----------------------------------------------------------
    ("MAP001", F, "mapping spec could not be read"),
    ("MAP002", F, "mapping spec is not valid"),
    ("MAP003", E, "mandatory ENS data missing from the source"),
    ("MAP004", E, "transform failed on the source value"),
    ("MAP005", W, "transform changed or doubted the source value"),
    ("MAP006", W, "value looked up in a code list was not found"),
    ("MAP007", E, "condition expression failed"),
    ("MAP008", I, "value derived by a documented convention, not read from the source"),
    ("MAP009", E, "no mapping spec for this message type"),
    ("MAP010", E, "shipment could not be assembled for the filing type"),
    ("MAP011", W, "house message has no master air waybill in the batch"),
    ("MAP012", W, "the same AWB in two FWB messages: the later one is used"),
    ("MAP013", W, "value filled by the site's fill policy or another message of the shipment, "
                  "not read from this message"),
    # -- mapping authoring: ensgate map lint / test ----------------------------------------------
    ("LNT001", E, "source path not in the reader's contract for this message type"),
    ("LNT002", W, "source path not seen in the sample corpus of this message type"),
    ("LNT003", W, "selector can never match"),
    ("LNT004", E, "ENS field mandatory for the filing type has no rule and no explicit none"),
    ("LNT005", W, "lookup table defined but never used"),
    ("LNT006", W, "variable defined in let but never used"),
    ("LNT007", E, "transform or filter called with wrong arguments"),
    ("LNT008", I, "no list of source paths for this message type; path checks skipped"),
    ("LNT009", E, "variable used in an expression is not defined in let"),
    ("MTS001", E, "mapping test: output differs from the expected ENS XML"),
    ("MTS002", E, "mapping test: case could not run or gave no filing"),
    ("MTS003", W, "mapping test: case has no expected ENS XML yet (bless it with --update)"),
    # -- enrichment from reference data (docs/reference-data.md) ---------------------------------
    ("REF001", W, "flight times taken from the schedule: scheduled, no flight manifest yet"),
    ("REF002", I, "party data completed from the party master data"),
    ("REF003", E, "no customs office of first entry for the airport in the office table"),
    # -- rendering --------------------------------------------------------------------------------
    ("RND001", F, "template for the filing type not found"),
    ("RND002", E, "template failed to render the dataset"),
    # -- schema validation ------------------------------------------------------------------------
    ("XSD001", E, "ENS XML is not well-formed"),
    ("XSD002", E, "ENS XML does not match the schema"),
    ("XSD003", E, "no schema for this message"),
    # -- ICS2 rules and conditions (ics2_rule names the R/C id) ----------------------------------
    ("ICS001", E, "ICS2 rule violated"),
    ("ICS002", E, "ICS2 condition violated"),
    ("ICS003", W, "ICS2 rule can only be checked partly offline; possible violation"),
    ("ICS004", E, "LRN already used by this declarant (local store)"),
    ("ICS005", W, "transport document reference already filed by this declarant (likely code 81)"),
    ("ICS006", E, "LRN is empty or longer than 22 characters (an..22)"),
    # -- amendments (IE3Axx) built against a registered filing: ensgate.amendments ---------------
    ("AMD001", E, "filing type has no amendment message ensgate builds"),
    ("AMD002", E, "registered and corrected datasets are different filing types"),
    ("AMD003", E, "MRN of the amendment is not an ICS2 MRN (R3004: an18)"),
    ("AMD004", E, "change an amendment may not make (R3024)"),
    ("AMD005", W, "the corrected dataset changes nothing that was registered"),
    ("AMD006", E, "registered or corrected dataset could not be read"),
    # -- customs answers (IE3R01, IE3N99, IE3N03, IE3Q0x) read back: ensgate.answers --------------
    ("ANS001", E, "customs answer XML is not well-formed"),
    ("ANS002", E, "not an ICS2 customs answer message (root element or namespace unknown)"),
    ("ANS003", W, "customs answer does not match the provisional schema"),
    ("ANS004", E, "filing type not handled by the simulated customs"),
    # -- filing lifecycle: ensgate.lifecycle ------------------------------------------------------
    ("LCY001", E, "event does not apply to the filing in its state (the ICD allows no such"
                  " step)"),
    ("LCY002", E, "unknown filing state or lifecycle event"),
    # -- data quality (customs code 100 and 102) ------------------------------------------------
    ("DQ001", E, "goods description is a stop word on its own (customs rejects it)"),
    ("DQ002", W, "goods description contains a vague term; name the goods more precisely"),
    ("DQ003", E, "goods description is junk (only digits, punctuation or repeated characters)"),
    ("DQ004", E, "party field is a party stop word on its own"),
    ("DQ005", E, "character not allowed in an ENS field"),
    # -- XML input hardening ----------------------------------------------------------------------
    ("XML001", E, "XML input refused: DTD, entity or external reference"),
    ("XML002", E, "XML input is not well-formed"),
    # -- batch and CLI --------------------------------------------------------------------------
    ("RUN001", E, "unexpected internal error while processing this message"),
    ("RUN002", E, "output could not be written"),
    ("CFG001", F, "configuration is not valid"),
    # -- batch accounting: where a shipment's failure leaves its messages -----------------------
    ("BAT001", I, "message rejected with its shipment: the ENS filing built from it failed "
                  "(see the filing's diagnostics)"),
)

CATALOGUE: dict[str, CodeInfo] = {c: CodeInfo(c, s, t) for c, s, t in _ENTRIES}
