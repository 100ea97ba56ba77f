"""Cluster bands without a foreign key to stories: the check cost each of a story's 16 band
rows a lookup on every delivery (issue 17's ingest). The rows are written with their story
and dropped with its cluster row (store/cluster_assign.py leave); one left behind only takes
space, since a candidate needs a story_clusters row, which keeps its foreign key.

Revision ID: 0019
Revises: 0017
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("cluster_bands_story_id_fkey", "cluster_bands", type_="foreignkey")
        return
    # SQLite keeps a foreign key in the table's definition: the table is made again.
    _rebuild(referenced=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("cluster_bands_story_id_fkey", "cluster_bands", "stories",
                              ["story_id"], ["id"], ondelete="CASCADE")
        return
    _rebuild(referenced=True)


_CREATE = ("CREATE TABLE cluster_bands_new (band BIGINT NOT NULL, at DATETIME NOT NULL, "
           "story_id INTEGER NOT NULL)")
_CREATE_REFERENCED = ("CREATE TABLE cluster_bands_new (band BIGINT NOT NULL, at DATETIME NOT NULL, "
                      "story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE)")


def _rebuild(*, referenced: bool) -> None:
    op.execute(_CREATE_REFERENCED if referenced else _CREATE)
    op.execute("INSERT INTO cluster_bands_new (band, at, story_id) "
               "SELECT band, at, story_id FROM cluster_bands")
    op.execute("DROP TABLE cluster_bands")
    op.execute("ALTER TABLE cluster_bands_new RENAME TO cluster_bands")
    op.create_index("ix_cluster_bands_band", "cluster_bands", ["band", "at", "story_id"])
