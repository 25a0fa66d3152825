"""four checks of every move and 任前公示 (issue 13.3, 13.5): talks, assessments and
training per agenda item, the holiday calendar, 公示 with its entries, appointments

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _recorded():
    """Columns of kaohe.core.models.Recorded."""
    return [
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
    ]


def _item_fks(table):
    return [
        sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'],
                                name=op.f(f'fk_{table}_item_id_agenda_item')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f(f'fk_{table}_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def upgrade():
    op.create_table(
        'move_talk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('talked_on', sa.Date(), nullable=False),
        sa.Column('talker', sa.String(length=64), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        *_recorded(), *_item_fks('move_talk'))
    op.create_index(op.f('ix_move_talk_item_id'), 'move_talk', ['item_id'], unique=False)
    op.create_table(
        'move_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('assessor', sa.String(length=120), nullable=False),
        sa.Column('conclusion', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=True),
        *_recorded(), *_item_fks('move_assessment'),
        sa.ForeignKeyConstraint(['result_id'], ['assessment_result.id'],
                                name=op.f('fk_move_assessment_result_id_assessment_result')))
    op.create_index(op.f('ix_move_assessment_item_id'), 'move_assessment', ['item_id'],
                    unique=False)
    op.create_table(
        'move_training',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('course', sa.String(length=200), nullable=False),
        sa.Column('provider', sa.String(length=120), nullable=False),
        sa.Column('attended_on', sa.Date(), nullable=True),
        sa.Column('planned_on', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        *_recorded(), *_item_fks('move_training'))
    op.create_index(op.f('ix_move_training_item_id'), 'move_training', ['item_id'],
                    unique=False)
    op.create_table(
        'holiday',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday')),
        sa.UniqueConstraint('day', name=op.f('uq_holiday_day')))
    op.create_table(
        'publicity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=False),
        sa.Column('work_days', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=64), nullable=False),
        sa.Column('contact', sa.String(length=200), nullable=False),
        sa.Column('issuer', sa.String(length=100), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussion.id'],
                                name=op.f('fk_publicity_discussion_id_discussion')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f('fk_publicity_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity')))
    op.create_index(op.f('ix_publicity_discussion_id'), 'publicity', ['discussion_id'],
                    unique=False)
    op.create_table(
        'publicity_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('publicity_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=True),
        sa.Column('objection', sa.Text(), nullable=False),
        sa.Column('handling', sa.Text(), nullable=False),
        sa.Column('objection_state', sa.String(length=12), nullable=True),
        sa.Column('recorded_on', sa.Date(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        *_item_fks('publicity_entry')[:2],
        sa.ForeignKeyConstraint(['publicity_id'], ['publicity.id'],
                                name=op.f('fk_publicity_entry_publicity_id_publicity')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity_entry')),
        sa.UniqueConstraint('item_id', name='uq_publicity_entry_item'))
    op.create_index(op.f('ix_publicity_entry_publicity_id'), 'publicity_entry',
                    ['publicity_id'], unique=False)
    op.create_table(
        'appointment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('appointed_on', sa.Date(), nullable=False),
        sa.Column('doc_number', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        *_item_fks('appointment')[:2],
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
        sa.UniqueConstraint('item_id', name='uq_appointment_item'))


def downgrade():
    op.drop_table('appointment')
    op.drop_index(op.f('ix_publicity_entry_publicity_id'), table_name='publicity_entry')
    op.drop_table('publicity_entry')
    op.drop_index(op.f('ix_publicity_discussion_id'), table_name='publicity')
    op.drop_table('publicity')
    op.drop_table('holiday')
    for table in ('move_training', 'move_assessment', 'move_talk'):
        op.drop_index(op.f(f'ix_{table}_item_id'), table_name=table)
        op.drop_table(table)
