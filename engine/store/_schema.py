"""The store's tables (SQLAlchemy Core). The migrations in ``migrations/versions`` create the
same schema; a test compares the two so that they cannot drift.

States are plain strings, checked in Python against one table per lifecycle
(``ensgate.pipeline`` ``SHIPMENT_STATES``, ``FILING_STATES``, ``MESSAGE_OUTCOMES``), so that a
later lifecycle (customs answers, amendments) adds states without a database enum change.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

Stamp = DateTime(timezone=True)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("command", String(40), nullable=False),
    Column("started_at", Stamp, nullable=False),
    Column("finished_at", Stamp),
    Column("summary", Text),  # JSON
)

sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("file", Text, nullable=False),
    Column("reader", String(20), nullable=False),
    Column("line_offset", Integer, nullable=False),
    Column("index_offset", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),  # zlib
    Column("received_at", Stamp, nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id")),
    Column("extra_sources", Text),  # "2,3": other sources of a message joined from parts
    Column("file", Text, nullable=False),
    Column("idx", Integer, nullable=False),
    Column("first_line", Integer, nullable=False),
    Column("format", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("version", String(10), nullable=False),
    Column("key", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("anchor", String(10), nullable=False),
    Column("received_at", Stamp, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("diagnostics", Text, nullable=False),  # JSON lines
    Index("messages_run", "run_id", "outcome"),
)

shipments = Table(
    "shipments", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("mawb", Text, nullable=False),
    Column("shape", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("waiting_for", Text, nullable=False),
    Column("due_at", Stamp),
    Column("reason", Text, nullable=False),
    Column("route", Text, nullable=False),  # JSON {"airports": [...], "countries": [...]}
    Column("input_digest", String(64), nullable=False),
    Column("first_at", Stamp),
    Column("last_at", Stamp),
    Column("updated_at", Stamp, nullable=False),
    Column("diagnostics", Text, nullable=False),  # JSON lines
    Index("shipments_due", "state", "due_at"),
)

shipment_houses = Table(
    "shipment_houses", metadata,
    Column("shipment_id", Integer, ForeignKey("shipments.id"), primary_key=True),
    Column("hawb", String(64), primary_key=True),
    Index("shipment_houses_hawb", "hawb"),
)

message_shipments = Table(
    "message_shipments", metadata,
    Column("message_id", Integer, ForeignKey("messages.id"), primary_key=True),
    Column("shipment_id", Integer, ForeignKey("shipments.id"), primary_key=True),
    Column("role", String(10), primary_key=True),  # master | houses | transport
    Column("used", Boolean, nullable=False),
    Index("message_shipments_shipment", "shipment_id"),
)

filings = Table(
    "filings", metadata,
    Column("id", Integer, primary_key=True),
    Column("shipment_id", Integer, ForeignKey("shipments.id"), nullable=False),
    Column("declarant", String(64), nullable=False),
    Column("lrn", String(64), nullable=False),
    Column("filing", String(10), nullable=False),
    Column("document", Text, nullable=False),
    Column("master_document", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Column("xml", LargeBinary, nullable=False),  # zlib
    Column("digest", String(64), nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("diagnostics", Text, nullable=False),  # JSON lines
    Column("as4_message_id", Text),
    Column("mrn", String(32)),
    Column("due_at", Stamp),
    Column("issued_at", Stamp, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("updated_at", Stamp, nullable=False),
    Column("sent_at", Stamp),
    UniqueConstraint("declarant", "lrn", name="filings_declarant_lrn"),
    Index("filings_shipment", "shipment_id"),
    Index("filings_document", "declarant", "document", "filing"),
    Index("filings_master_document", "declarant", "master_document"),
    Index("filings_mrn", "mrn"),
)

exchanges = Table(
    "exchanges", metadata,
    Column("id", Integer, primary_key=True),
    Column("filing_id", Integer, ForeignKey("filings.id")),
    Column("direction", String(3), nullable=False),  # out | in
    Column("as4_message_id", String(255), nullable=False),
    Column("ref_to_message_id", String(255)),
    Column("action", String(40), nullable=False),
    Column("lrn", String(64)),
    Column("mrn", String(32)),
    Column("endpoint", Text, nullable=False),
    Column("receipt", String(10), nullable=False),  # out: "" | ok | error
    Column("body", LargeBinary),  # zlib: the ENS sent, or the answer's payload
    Column("at", Stamp, nullable=False),
    Column("detail", Text, nullable=False),
    # revision 0002 (zlib): out, the sealed AS4 message as sent (Content-Type line and body),
    # resent byte for byte after a crash; the NRR receipt that came back
    Column("wire", LargeBinary),
    Column("receipt_wire", LargeBinary),
    UniqueConstraint("direction", "as4_message_id", name="exchanges_direction_message"),
    Index("exchanges_ref", "ref_to_message_id"),
    Index("exchanges_lrn", "lrn"),
)

received = Table(
    "received", metadata,
    Column("message_id", String(255), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),  # the answer given (receipt or error), as sent
    Column("received_at", Stamp, nullable=False),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Stamp, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("shipment_id", Integer, ForeignKey("shipments.id")),
    Column("filing_id", Integer, ForeignKey("filings.id")),
    Column("message_id", Integer, ForeignKey("messages.id")),
    Column("kind", String(20), nullable=False),
    Column("from_state", String(20)),
    Column("to_state", String(20)),
    Column("cause", Text, nullable=False),
    Index("events_shipment", "shipment_id"),
    Index("events_filing", "filing_id"),
)

exports = Table(
    "exports", metadata,
    Column("id", Integer, primary_key=True),
    Column("folder", Text, nullable=False),
    Column("item", Text, nullable=False),  # path under the folder
    Column("kind", String(20), nullable=False),  # filing | rejected | not-ens | shipment-reject
    Column("action", String(10), nullable=False),  # write | remove
    Column("state", String(10), nullable=False),  # queued | done
    Column("filing_id", Integer, ForeignKey("filings.id")),
    Column("message_id", Integer, ForeignKey("messages.id")),
    Column("shipment_id", Integer, ForeignKey("shipments.id")),
    Column("content", LargeBinary),  # zlib; the payload until written (None: the filing XML)
    Column("queued_at", Stamp, nullable=False),
    UniqueConstraint("folder", "item", name="exports_folder_item"),
    Index("exports_queue", "folder", "state"),
)

sink_cursors = Table(
    "sink_cursors", metadata,
    Column("sink", String(100), primary_key=True),  # the sink's name in the configuration
    Column("event_id", Integer, nullable=False),  # the last event delivered (0: none)
    Column("owner", String(40)),  # the process delivering now (a lease), or None
    Column("lease_until", Stamp),
    Column("updated_at", Stamp, nullable=False),
)

reference_files = Table(
    "reference_files", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # schedules | parties | customs_offices
    Column("path", Text, nullable=False),
    Column("digest", String(64), nullable=False),  # sha256 of the bytes
    Column("format", String(10), nullable=False),  # ssim | csv | yaml
    Column("rows", Integer, nullable=False),
    Column("problems", Text, nullable=False),  # JSON list of "file:line: why"
    Column("body", LargeBinary, nullable=False),  # zlib of the bytes read
    Column("loaded_at", Stamp, nullable=False),
    UniqueConstraint("kind", "path", "digest", name="reference_files_version"),
)

api_keys = Table(
    "api_keys", metadata,  # revision 0005: the HTTP API's keys (ensgate apikey add)
    Column("name", String(100), primary_key=True),
    Column("key_sha256", String(64), nullable=False, unique=True),  # the key is never stored
    Column("created_at", Stamp, nullable=False),
    Column("revoked_at", Stamp),
)
