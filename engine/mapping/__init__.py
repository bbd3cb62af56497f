"""Mapping: YAML specs evaluated on a source tree give one ENS dataset, with lineage."""

from ._dataset import (
    DatasetModel,
    FieldDef,
    GroupDef,
    Lineage,
    dataset_model,
    dataset_skeleton,
    new_group,
)

__all__ = [
    "DatasetModel",
    "FieldDef",
    "GroupDef",
    "Lineage",
    "dataset_model",
    "dataset_skeleton",
    "new_group",
]
