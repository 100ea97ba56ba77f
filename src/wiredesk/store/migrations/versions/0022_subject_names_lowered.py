"""Story subjects indexed by their lowered name: every reader's query (subject feeds, section
pages) asks `lower(name) = ...`, which the index on the name as written could not answer, so
PostgreSQL read every subject row of the store: a subject feed took 2.5 s at a million stories
(bench/scale.py), its list query alone 3,442 ms, and 0.9 ms with this index. The index on the
name as written served no query and goes.

Revision ID: 0022
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A store made by create_all from a newer schema.py than its stamp may have either already.
    op.drop_index("ix_story_subjects_name", "story_subjects", if_exists=True)
    op.create_index("ix_story_subjects_lower_name", "story_subjects",
                    [sa.text("lower(name)"), "story_id"], if_not_exists=True)
    if op.get_bind().dialect.name == "postgresql":
        # The planner knows an expression's values only once ANALYZE has sampled its index:
        # until autovacuum came round it would guess, and hash every subject row again.
        op.execute("ANALYZE story_subjects")


def downgrade() -> None:
    op.drop_index("ix_story_subjects_lower_name", "story_subjects")
    op.create_index("ix_story_subjects_name", "story_subjects", ["name", "story_id"])
