"""Site configuration: the data legacy messages do not carry (declarant, representative, LRN
scheme, carriers' EORIs, customs offices, filing policy), from a YAML file with environment
overrides (``ENSGATE__SECTION__KEY=value``) over embedded demo defaults."""

from ._config import (
    EnsgateConfig,
    FilingPolicy,
    FillPolicy,
    PartyConfig,
    ReferenceDataConfig,
    SinkConfig,
    load_config,
)

__all__ = [
    "EnsgateConfig",
    "FilingPolicy",
    "FillPolicy",
    "PartyConfig",
    "ReferenceDataConfig",
    "SinkConfig",
    "load_config",
]
