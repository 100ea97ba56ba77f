"""Two of the stories indexes hold only the rows their queries can find: the takedown time's
(every query asks `takendown_at >` or `>=` a time) and the embargo's (every query asks
`embargoed >` or `<=` a time, with the state). Either comparison is false on NULL, which
most stories have in both (not taken down, no embargo), so those rows need no entry; each
new story's row and its head update (issue 17's ingest) maintained the two for nothing.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_PARTIAL = {"ix_stories_takendown": (["takendown_at"], "takendown_at IS NOT NULL"),
            "ix_stories_state_embargo": (["state", "embargoed"], "embargoed IS NOT NULL")}


def upgrade() -> None:
    for name, (columns, where) in _PARTIAL.items():
        op.drop_index(name, "stories", if_exists=True)
        op.create_index(name, "stories", columns, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, (columns, _where) in _PARTIAL.items():
        op.drop_index(name, "stories")
        op.create_index(name, "stories", columns)
