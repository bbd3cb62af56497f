"""The shipment store: runs, sources, messages, shipments, filings, exchanges, AS4 messages
received (duplicate detection), events, exports.

Revision ID: 0001
Revises:
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("command", sa.String(40), nullable=False),
        sa.Column("started_at", STAMP, nullable=False),
        sa.Column("finished_at", STAMP),
        sa.Column("summary", sa.Text),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("reader", sa.String(20), nullable=False),
        sa.Column("line_offset", sa.Integer, nullable=False),
        sa.Column("index_offset", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("received_at", STAMP, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id")),
        sa.Column("extra_sources", sa.Text),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("first_line", sa.Integer, nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("version", sa.String(10), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("anchor", sa.String(10), nullable=False),
        sa.Column("received_at", STAMP, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("diagnostics", sa.Text, nullable=False),
    )
    op.create_index("messages_run", "messages", ["run_id", "outcome"])
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("mawb", sa.Text, nullable=False),
        sa.Column("shape", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("waiting_for", sa.Text, nullable=False),
        sa.Column("due_at", STAMP),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("input_digest", sa.String(64), nullable=False),
        sa.Column("first_at", STAMP),
        sa.Column("last_at", STAMP),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("diagnostics", sa.Text, nullable=False),
    )
    op.create_index("shipments_due", "shipments", ["state", "due_at"])
    op.create_table(
        "shipment_houses",
        sa.Column("shipment_id", sa.Integer, sa.ForeignKey("shipments.id"), primary_key=True),
        sa.Column("hawb", sa.String(64), primary_key=True),
    )
    op.create_index("shipment_houses_hawb", "shipment_houses", ["hawb"])
    op.create_table(
        "message_shipments",
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id"), primary_key=True),
        sa.Column("shipment_id", sa.Integer, sa.ForeignKey("shipments.id"), primary_key=True),
        sa.Column("role", sa.String(10), primary_key=True),
        sa.Column("used", sa.Boolean, nullable=False),
    )
    op.create_index("message_shipments_shipment", "message_shipments", ["shipment_id"])
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("shipment_id", sa.Integer, sa.ForeignKey("shipments.id"), nullable=False),
        sa.Column("declarant", sa.String(64), nullable=False),
        sa.Column("lrn", sa.String(64), nullable=False),
        sa.Column("filing", sa.String(10), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("master_document", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("xml", sa.LargeBinary, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("diagnostics", sa.Text, nullable=False),
        sa.Column("as4_message_id", sa.Text),
        sa.Column("mrn", sa.String(32)),
        sa.Column("due_at", STAMP),
        sa.Column("issued_at", STAMP, nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("sent_at", STAMP),
        sa.UniqueConstraint("declarant", "lrn", name="filings_declarant_lrn"),
    )
    op.create_index("filings_shipment", "filings", ["shipment_id"])
    op.create_index("filings_document", "filings", ["declarant", "document", "filing"])
    op.create_index("filings_master_document", "filings", ["declarant", "master_document"])
    op.create_index("filings_mrn", "filings", ["mrn"])
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id")),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("as4_message_id", sa.String(255), nullable=False),
        sa.Column("ref_to_message_id", sa.String(255)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("lrn", sa.String(64)),
        sa.Column("mrn", sa.String(32)),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("receipt", sa.String(10), nullable=False),
        sa.Column("body", sa.LargeBinary),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.UniqueConstraint("direction", "as4_message_id", name="exchanges_direction_message"),
    )
    op.create_index("exchanges_ref", "exchanges", ["ref_to_message_id"])
    op.create_index("exchanges_lrn", "exchanges", ["lrn"])
    op.create_table(
        "received",
        sa.Column("message_id", sa.String(255), primary_key=True),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("received_at", STAMP, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("shipment_id", sa.Integer, sa.ForeignKey("shipments.id")),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id")),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(20)),
        sa.Column("to_state", sa.String(20)),
        sa.Column("cause", sa.Text, nullable=False),
    )
    op.create_index("events_shipment", "events", ["shipment_id"])
    op.create_index("events_filing", "events", ["filing_id"])
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("folder", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id")),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id")),
        sa.Column("shipment_id", sa.Integer, sa.ForeignKey("shipments.id")),
        sa.Column("content", sa.LargeBinary),
        sa.Column("queued_at", STAMP, nullable=False),
        sa.UniqueConstraint("folder", "item", name="exports_folder_item"),
    )
    op.create_index("exports_queue", "exports", ["folder", "state"])


def downgrade() -> None:
    for table in ("exports", "events", "received", "exchanges", "filings", "message_shipments",
                  "shipment_houses", "shipments", "messages", "sources", "runs"):
        op.drop_table(table)
