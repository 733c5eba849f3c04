"""index events.payload, then fail: the revision's transaction rolls back"""
from alembic import op

revision = "003"
down_revision = "002"


def upgrade():
    op.create_index("ix_events_id_kind", "events", ["id", "kind"])
    op.execute("SELECT 1 / 0")
