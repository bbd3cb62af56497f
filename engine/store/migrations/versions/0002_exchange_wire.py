"""Exchanges keep the sealed AS4 message as it went on the wire (a filing left in flight by a
crash is sent again byte for byte, with its MessageId) and the NRR receipt that came back.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchanges") as batch:
        batch.add_column(sa.Column("wire", sa.LargeBinary))
        batch.add_column(sa.Column("receipt_wire", sa.LargeBinary))


def downgrade() -> None:
    with op.batch_alter_table("exchanges") as batch:
        batch.drop_column("receipt_wire")
        batch.drop_column("wire")
