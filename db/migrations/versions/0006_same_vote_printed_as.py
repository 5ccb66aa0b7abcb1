"""vote event: the symbol another source prints for the same vote

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('vote_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed_as', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_vote_event_printed_as'), ['printed_as'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vote_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_event_printed_as'))
        batch_op.drop_column('printed_as')
