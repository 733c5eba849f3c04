"""index events.kind, as first written"""
from alembic import op

revision = "002"
down_revision = "001"


def upgrade():
    op.create_index("ix_events_kind", "events", ["kind"])
