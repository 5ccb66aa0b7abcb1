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
    op.add_column('resolution', sa.Column('draft_named_by', sqlmodel.sql.sqltypes.AutoString(),
                                          nullable=True))
    # Added in place, its foreign key with it: rebuilding the table (SQLite's batch mode)
    # would drop a table that vote events and mandates refer to.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(sa.text('ALTER TABLE resolution ADD COLUMN printed_also_at_id INTEGER '
                           'REFERENCES meeting (id)'))
    else:
        op.add_column('resolution', sa.Column('printed_also_at_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_resolution_printed_also_at_id_meeting', 'resolution',
                              'meeting', ['printed_also_at_id'], ['id'])

    # The finding's key changes: a new table, the rows copied with their page.
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_url')
        batch_op.drop_index('ix_finding_source')
    op.rename_table('finding', 'finding_before_0006')
    op.create_table(
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
        # Copied as read (untyped columns): SQLite gives its timestamps back as text.
        op.bulk_insert(sa.table('finding', *(sa.column(c) for c in (
            'source', 'page', 'record', 'kind', 'severity', 'message', 'url', 'first_seen'))),
            list(rows.values()))
    op.drop_table('finding_before_0006')
    _drop_resolutions_made_of_links()


# A resolution that only a draft's link made has neither a date nor a meeting: the meetings
# tables and the voting records, the only sources of resolutions, give both.
_PHANTOM = "SELECT id FROM resolution WHERE date IS NULL AND meeting_id IS NULL"
_THEIR_VOTES = f"SELECT id FROM vote_event WHERE resolution_id IN ({_PHANTOM})"


def _drop_resolutions_made_of_links() -> None:
    """Remove what earlier versions stored from a link alone (a link never creates a
    resolution): the resolution, its empty vote event, and the "adopted" it gave the draft.
    Mandates are derived again by the next sync; `tracker rebuild` applies every rule."""
    for statement in (
        f"UPDATE source_record SET vote_event_id = NULL WHERE vote_event_id IN ({_THEIR_VOTES})",
        f"DELETE FROM mandate_event WHERE resolution_id IN ({_PHANTOM}) "
        f"OR vote_event_id IN ({_THEIR_VOTES})",
        f"UPDATE mandate SET established_by_id = NULL WHERE established_by_id IN ({_PHANTOM})",
        f"DELETE FROM member_vote WHERE vote_event_id IN ({_THEIR_VOTES})",
        f"DELETE FROM veto WHERE vote_event_id IN ({_THEIR_VOTES})",
        f"UPDATE draft SET status = NULL WHERE status = 'adopted' AND id IN "
        f"(SELECT draft_id FROM resolution WHERE id IN ({_PHANTOM}))",
        f"DELETE FROM vote_event WHERE id IN ({_THEIR_VOTES})",
        f"DELETE FROM resolution WHERE id IN ({_PHANTOM})",
    ):
        op.execute(sa.text(statement))


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_page'))
        batch_op.drop_constraint('uq_finding_identity', type_='unique')
        batch_op.drop_column('page')
        batch_op.create_unique_constraint(None, ['source', 'record', 'kind', 'message'])
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_constraint('fk_resolution_printed_also_at_id_meeting', type_='foreignkey')
        batch_op.drop_column('printed_also_at_id')
        batch_op.drop_column('draft_named_by')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_column('resolution_link')
