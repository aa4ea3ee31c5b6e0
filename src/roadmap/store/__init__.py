"""The store: SQLAlchemy tables, the engine factory, transactions and Alembic migrations."""
