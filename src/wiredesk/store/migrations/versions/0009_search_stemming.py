"""Search with stemming: FTS5's porter tokenizer on SQLite; on PostgreSQL each story indexed
with its language's text search configuration (kept in `config`, for highlighting). The old
index cannot be converted in place, so it is dropped, made again and filled from the stories.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from wiredesk.store.search import create_index_sql, rebuild

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP TABLE IF EXISTS story_search")
    for statement in create_index_sql(bind.dialect.name):
        op.execute(statement)
    rebuild(bind)


def downgrade() -> None:
    """Back to 0002's unstemmed index, filled from the stories again."""
    op.execute("DROP TABLE IF EXISTS story_search")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE story_search (story_id INTEGER PRIMARY KEY REFERENCES "
                   "stories(id) ON DELETE CASCADE, document tsvector NOT NULL, body TEXT NOT NULL)")
        op.execute("CREATE INDEX ix_story_search_document ON story_search USING GIN (document)")
        op.execute("INSERT INTO story_search (story_id, document, body) SELECT s.id, "
                   "setweight(to_tsvector('simple', lower(s.headline)), 'A') || "
                   "setweight(to_tsvector('simple', lower(coalesce(v.body_text, ''))), 'B'), "
                   "coalesce(v.body_text, '') FROM stories s JOIN versions v "
                   "ON v.id = s.head_version_id WHERE s.state IN ('live', 'embargoed')")
    else:
        op.execute("CREATE VIRTUAL TABLE story_search USING fts5(headline, body, "
                   "tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
        op.execute("INSERT INTO story_search (rowid, headline, body) "
                   "SELECT s.id, s.headline, coalesce(v.body_text, '') FROM stories s "
                   "JOIN versions v ON v.id = s.head_version_id "
                   "WHERE s.state IN ('live', 'embargoed')")
