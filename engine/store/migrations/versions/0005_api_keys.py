"""API keys of the service's HTTP API: a name and the sha256 of the key (the key itself is
shown once, when made, and never stored).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("key_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("revoked_at", STAMP),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
