"""unit assessment: schemes, categories, indicators, results, ratings, events, interviews

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-24 12:29:38.523197

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ua_scheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('public_weight', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('total_points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['copied_from_id'], ['ua_scheme.id'], name=op.f('fk_ua_scheme_copied_from_id_ua_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_scheme')),
    sa.UniqueConstraint('year', 'group', name='uq_ua_scheme_year_group')
    )
    op.create_table('ua_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scheme_id'], ['ua_scheme.id'], name=op.f('fk_ua_category_scheme_id_ua_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_category'))
    )
    with op.batch_alter_table('ua_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ua_category_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('ua_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_ua_event_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['scheme_id'], ['ua_scheme.id'], name=op.f('fk_ua_event_scheme_id_ua_scheme')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_ua_event_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_event'))
    )
    with op.batch_alter_table('ua_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ua_event_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ua_event_unit_id'), ['unit_id'], unique=False)

    op.create_table('ua_indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('floor_ratio', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('cap_ratio', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('grade_map', sa.String(length=200), nullable=False),
    sa.Column('unit_label', sa.String(length=32), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['ua_category.id'], name=op.f('fk_ua_indicator_category_id_ua_category')),
    sa.ForeignKeyConstraint(['scheme_id'], ['ua_scheme.id'], name=op.f('fk_ua_indicator_scheme_id_ua_scheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_indicator'))
    )
    with op.batch_alter_table('ua_indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ua_indicator_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ua_indicator_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('ua_public_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_ua_public_rating_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['scheme_id'], ['ua_scheme.id'], name=op.f('fk_ua_public_rating_scheme_id_ua_scheme')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_ua_public_rating_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_public_rating')),
    sa.UniqueConstraint('scheme_id', 'unit_id', 'round', name='uq_ua_public_rating')
    )
    with op.batch_alter_table('ua_public_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ua_public_rating_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('ua_interview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=8), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('leader_name', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], name=op.f('fk_ua_interview_official_id_official')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_ua_interview_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['scheme_id'], ['ua_scheme.id'], name=op.f('fk_ua_interview_scheme_id_ua_scheme')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_ua_interview_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_interview'))
    )
    with op.batch_alter_table('ua_interview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ua_interview_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('ua_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=8), nullable=False),
    sa.Column('target', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('actual', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('grade', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['ua_indicator.id'], name=op.f('fk_ua_result_indicator_id_ua_indicator')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_ua_result_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['scheme_id'], ['ua_scheme.id'], name=op.f('fk_ua_result_scheme_id_ua_scheme')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_ua_result_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ua_result')),
    sa.UniqueConstraint('indicator_id', 'unit_id', 'round', name='uq_ua_result_indicator_unit_round')
    )
    with op.batch_alter_table('ua_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ua_result_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ua_result_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ua_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ua_result_unit_id'))
        batch_op.drop_index(batch_op.f('ix_ua_result_scheme_id'))

    op.drop_table('ua_result')
    with op.batch_alter_table('ua_interview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ua_interview_scheme_id'))

    op.drop_table('ua_interview')
    with op.batch_alter_table('ua_public_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ua_public_rating_scheme_id'))

    op.drop_table('ua_public_rating')
    with op.batch_alter_table('ua_indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ua_indicator_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_ua_indicator_category_id'))

    op.drop_table('ua_indicator')
    with op.batch_alter_table('ua_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ua_event_unit_id'))
        batch_op.drop_index(batch_op.f('ix_ua_event_scheme_id'))

    op.drop_table('ua_event')
    with op.batch_alter_table('ua_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ua_category_scheme_id'))

    op.drop_table('ua_category')
    op.drop_table('ua_scheme')
