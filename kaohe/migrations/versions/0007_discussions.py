"""discussions: personnel discussions (议干部), members, reviewers, agenda items,
four-must checks, frozen dossier versions and agenda bundles

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-25 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('discussion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=True),
    sa.Column('held_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['held_by_id'], ['user.id'], name=op.f('fk_discussion_held_by_id_user')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_discussion_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion'))
    )
    op.create_index(op.f('ix_discussion_date'), 'discussion', ['date'], unique=False)
    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('proposed_post', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('readiness_at_held', sa.JSON(), nullable=True),
    sa.Column('decision', sa.String(length=8), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_agenda_item_decided_by_id_user')),
    sa.ForeignKeyConstraint(['discussion_id'], ['discussion.id'], name=op.f('fk_agenda_item_discussion_id_discussion')),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], name=op.f('fk_agenda_item_official_id_official')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_agenda_item_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    op.create_index(op.f('ix_agenda_item_discussion_id'), 'agenda_item', ['discussion_id'], unique=False)
    op.create_index(op.f('ix_agenda_item_official_id'), 'agenda_item', ['official_id'], unique=False)
    op.create_table('discussion_bundle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_discussion_bundle_created_by_id_user')),
    sa.ForeignKeyConstraint(['discussion_id'], ['discussion.id'], name=op.f('fk_discussion_bundle_discussion_id_discussion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_bundle'))
    )
    op.create_index(op.f('ix_discussion_bundle_discussion_id'), 'discussion_bundle', ['discussion_id'], unique=False)
    op.create_table('discussion_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['discussion.id'], name=op.f('fk_discussion_member_discussion_id_discussion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_member'))
    )
    op.create_index(op.f('ix_discussion_member_discussion_id'), 'discussion_member', ['discussion_id'], unique=False)
    op.create_table('discussion_reviewer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_discussion_reviewer_assigned_by_id_user')),
    sa.ForeignKeyConstraint(['discussion_id'], ['discussion.id'], name=op.f('fk_discussion_reviewer_discussion_id_discussion')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_discussion_reviewer_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_reviewer')),
    sa.UniqueConstraint('discussion_id', 'user_id', name='uq_discussion_reviewer')
    )
    op.create_index(op.f('ix_discussion_reviewer_discussion_id'), 'discussion_reviewer', ['discussion_id'], unique=False)
    op.create_index(op.f('ix_discussion_reviewer_user_id'), 'discussion_reviewer', ['user_id'], unique=False)
    op.create_table('four_must_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('checked_by', sa.String(length=64), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_four_must_check_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_four_must_check_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_four_must_check')),
    sa.UniqueConstraint('item_id', 'kind', name='uq_four_must_kind')
    )
    op.create_index(op.f('ix_four_must_check_item_id'), 'four_must_check', ['item_id'], unique=False)
    op.create_table('item_dossier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attached_at', sa.DateTime(), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attached_by_id'], ['user.id'], name=op.f('fk_item_dossier_attached_by_id_user')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_item_dossier_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_item_dossier_item_id_agenda_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_dossier')),
    sa.UniqueConstraint('item_id', 'version', name='uq_item_dossier_version')
    )
    op.create_index(op.f('ix_item_dossier_item_id'), 'item_dossier', ['item_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_item_dossier_item_id'), table_name='item_dossier')
    op.drop_table('item_dossier')
    op.drop_index(op.f('ix_four_must_check_item_id'), table_name='four_must_check')
    op.drop_table('four_must_check')
    op.drop_index(op.f('ix_discussion_reviewer_user_id'), table_name='discussion_reviewer')
    op.drop_index(op.f('ix_discussion_reviewer_discussion_id'), table_name='discussion_reviewer')
    op.drop_table('discussion_reviewer')
    op.drop_index(op.f('ix_discussion_member_discussion_id'), table_name='discussion_member')
    op.drop_table('discussion_member')
    op.drop_index(op.f('ix_discussion_bundle_discussion_id'), table_name='discussion_bundle')
    op.drop_table('discussion_bundle')
    op.drop_index(op.f('ix_agenda_item_official_id'), table_name='agenda_item')
    op.drop_index(op.f('ix_agenda_item_discussion_id'), table_name='agenda_item')
    op.drop_table('agenda_item')
    op.drop_index(op.f('ix_discussion_date'), table_name='discussion')
    op.drop_table('discussion')
