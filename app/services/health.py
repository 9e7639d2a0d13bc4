"""Whether the database answers, for health checks."""

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from app import db

# A health check that waits longer than the proxy's would tell it nothing.
TIMEOUT_SECONDS = 2


def database_answers() -> bool:
    """One ``SELECT 1``, cut short after ``TIMEOUT_SECONDS`` where the database can."""
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(
                    f"SET LOCAL statement_timeout = {TIMEOUT_SECONDS * 1000}"
                )
            connection.execute(sa.select(1))
        return True
    except SQLAlchemyError:
        return False
