import os

from alembic import context
from sqlalchemy import create_engine

url = "postgresql+psycopg2://{user}@/{db}?host={host}&port={port}".format(
    user=os.environ.get("PGUSER", "postgres"),
    db=os.environ["SDDL_DB_NAME"],
    host=os.environ["PGHOST"],
    port=os.environ["PGPORT"],
)
engine = create_engine(url)
with engine.connect() as connection:
    # Alembic's default on PostgreSQL: all pending migrations in one
    # transaction.
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
