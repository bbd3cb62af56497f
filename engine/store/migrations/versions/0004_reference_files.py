"""Reference data files: every version of a configured schedule, party book or office table
the store has worked with (kind, path, content hash, detected format, rows, the bytes), so
that a lineage "file:line" can be read back against the very content that gave the value, and
a changed file is noticed (pending shipments waiting for flight times are decided again).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("problems", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "path", "digest", name="reference_files_version"),
    )


def downgrade() -> None:
    op.drop_table("reference_files")
