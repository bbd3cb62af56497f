"""Event sinks: one cursor per configured sink (the last event delivered, and the lease of
the process delivering now), so that state changes reach JSON-lines files and webhooks at
least once across crashes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sink_cursors",
        sa.Column("sink", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(40)),
        sa.Column("lease_until", STAMP),
        sa.Column("updated_at", STAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sink_cursors")
