"""interop: family members (for recusal) and appointment-form fields from LRMX files

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _recorded():
    return [
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    ]


def upgrade():
    op.create_table('family_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('political_status', sa.String(length=32), nullable=False),
    sa.Column('work', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('relative_official_id', sa.Integer(), nullable=True),
    *_recorded(),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], name=op.f('fk_family_member_official_id_official')),
    sa.ForeignKeyConstraint(['relative_official_id'], ['official.id'], name=op.f('fk_family_member_relative_official_id_official')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_family_member_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_member'))
    )
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_member_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_member_relative_official_id'), ['relative_official_id'], unique=False)

    op.create_table('appointment_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('birth_place', sa.String(length=64), nullable=False),
    sa.Column('health', sa.String(length=32), nullable=False),
    sa.Column('tech_title', sa.String(length=64), nullable=False),
    sa.Column('specialty', sa.String(length=200), nullable=False),
    sa.Column('proposed_post', sa.String(length=200), nullable=False),
    sa.Column('proposed_removal', sa.String(length=200), nullable=False),
    sa.Column('resume', sa.Text(), nullable=False),
    sa.Column('rewards', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    *_recorded(),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], name=op.f('fk_appointment_sheet_official_id_official')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_appointment_sheet_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_sheet')),
    sa.UniqueConstraint('official_id', name=op.f('uq_appointment_sheet_official_id'))
    )


def downgrade():
    op.drop_table('appointment_sheet')
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_member_relative_official_id'))
        batch_op.drop_index(batch_op.f('ix_family_member_official_id'))
    op.drop_table('family_member')
