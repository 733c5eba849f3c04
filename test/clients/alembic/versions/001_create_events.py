"""create events"""
import sqlalchemy as sa
from alembic import op

revision = "001"
down_revision = None


def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text),
    )
    # a new table: never in anyone's way
    op.create_index("ix_events_payload", "events", ["payload"])
