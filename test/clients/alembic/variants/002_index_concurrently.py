"""index events.kind, the way safe_ddl's HINT says"""
from alembic import op

revision = "002"
down_revision = "001"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_events_kind", "events", ["kind"], postgresql_concurrently=True)
