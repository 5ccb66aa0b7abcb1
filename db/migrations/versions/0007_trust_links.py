"""trust: findings keyed without the base URL, drafts' printed links, decisions printed twice

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _page(url: str | None) -> str:
    """The URL without its scheme and host (as db.store.page_of)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")


def upgrade() -> None:
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution_link', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=True))
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed_also_at_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_resolution_printed_also_at_id_meeting', 'meeting',
                                    ['printed_also_at_id'], ['id'])

    # The finding's key changes: a new table, the rows copied with their page.
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_url')
        batch_op.drop_index('ix_finding_source')
    op.rename_table('finding', 'finding_before_0006')
    finding = op.create_table(
        'finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('page', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('record', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('first_seen', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source', 'page', 'record', 'kind', 'message',
                            name='uq_finding_identity'),
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_page'), ['page'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_url'), ['url'], unique=False)
    connection = op.get_bind()
    old = connection.execute(sa.text(
        "SELECT source, record, kind, severity, message, url, first_seen "
        "FROM finding_before_0006")).mappings().all()
    rows: dict[tuple[str, ...], dict[str, object]] = {}
    for row in old:
        page = _page(row["url"])
        rows.setdefault((row["source"], page, row["record"], row["kind"], row["message"]),
                        {**row, "page": page})
    if rows:
        op.bulk_insert(finding, list(rows.values()))
    op.drop_table('finding_before_0006')


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_page'))
        batch_op.drop_constraint('uq_finding_identity', type_='unique')
        batch_op.drop_column('page')
        batch_op.create_unique_constraint(None, ['source', 'record', 'kind', 'message'])
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_constraint('fk_resolution_printed_also_at_id_meeting', type_='foreignkey')
        batch_op.drop_column('printed_also_at_id')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_column('resolution_link')
