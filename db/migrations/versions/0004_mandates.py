"""mandates

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No release filled the mandate tables before this revision: mandate_event is
    # recreated with its new natural key (mandate, kind, reference).
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('established_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('parent_slug', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('mandate_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_event_mandate_id'))
    op.drop_table('mandate_event')
    _create_mandate_event(new=True)


def downgrade() -> None:
    with op.batch_alter_table('mandate_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_event_mandate_id'))
    op.drop_table('mandate_event')
    _create_mandate_event(new=False)
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_column('parent_slug')
        batch_op.drop_column('aliases')
        batch_op.drop_column('established_by')


def _create_mandate_event(*, new: bool) -> None:
    columns = [
        sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mandate_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('date', sa.Date(), nullable=True),
        sa.Column('resolution_id', sa.Integer(), nullable=True),
        sa.Column('draft_id', sa.Integer(), nullable=True),
        sa.Column('vote_event_id', sa.Integer(), nullable=True),
        sa.Column('new_expiry', sa.Date(), nullable=True),
    ]
    if new:
        columns += [sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
                    sa.Column('note', sa.Text(), nullable=True)]
    constraints = [
        sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
        sa.ForeignKeyConstraint(['mandate_id'], ['mandate.id'], ),
        sa.ForeignKeyConstraint(['resolution_id'], ['resolution.id'], ),
        sa.ForeignKeyConstraint(['vote_event_id'], ['vote_event.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('mandate_id', 'kind', 'reference', name='uq_mandate_event_reference')
        if new else sa.UniqueConstraint('mandate_id', 'kind', 'date', 'vote_event_id'),
    ]
    op.create_table('mandate_event', *columns, *constraints)
    with op.batch_alter_table('mandate_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_event_mandate_id'), ['mandate_id'], unique=False)
