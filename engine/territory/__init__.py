"""The customs territory ICS2 covers: one data table (``ics2_territory.yaml``) read by the
mapping transforms, the ICS2 rules and the store's applicability check, so that they cannot
disagree (they used to: two EU lists, one with Northern Ireland and one without)."""

from ._territory import (
    AIRPORT_COUNTRIES,
    EU_MEMBER_STATES,
    ICS2_TERRITORY,
    TerritoryEntry,
    in_ics2_territory,
    territory_table,
)

__all__ = [
    "AIRPORT_COUNTRIES",
    "EU_MEMBER_STATES",
    "ICS2_TERRITORY",
    "TerritoryEntry",
    "in_ics2_territory",
    "territory_table",
]
