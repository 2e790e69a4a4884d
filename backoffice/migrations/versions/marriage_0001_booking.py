"""marriage booking: offices, half-day slots, bookings, history, day claims

Revision ID: marriage_0001
Revises: 0001
Create Date: 2026-11-28 20:31:49.354105
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'marriage_0001'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = ('marriage',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('marriage_offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('district_code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('hours', sa.String(length=200), nullable=False),
    sa.Column('capacity_am', sa.Integer(), nullable=False),
    sa.Column('capacity_pm', sa.Integer(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('sample', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marriage_offices')),
    sa.UniqueConstraint('code', name=op.f('uq_marriage_offices_code'))
    )
    op.create_table('marriage_reference_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_marriage_reference_counters'))
    )
    op.create_table('marriage_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('booking_type', sa.String(length=16), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('half_day', sa.String(length=2), nullable=False),
    sa.Column('party1_name', sa.String(length=64), nullable=False),
    sa.Column('party1_id_kind', sa.String(length=16), nullable=False),
    sa.Column('party1_id_number', sa.String(length=32), nullable=False),
    sa.Column('party2_name', sa.String(length=64), nullable=False),
    sa.Column('party2_id_kind', sa.String(length=16), nullable=False),
    sa.Column('party2_id_number', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('failed_checks', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['marriage_offices.id'], name=op.f('fk_marriage_bookings_office_id_marriage_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marriage_bookings')),
    sa.UniqueConstraint('reference', name=op.f('uq_marriage_bookings_reference'))
    )
    op.create_table('marriage_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('half_day', sa.String(length=2), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_marriage_slots_booked_within_capacity')),
    sa.ForeignKeyConstraint(['office_id'], ['marriage_offices.id'], name=op.f('fk_marriage_slots_office_id_marriage_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marriage_slots')),
    sa.UniqueConstraint('office_id', 'day', 'half_day', name='uq_marriage_slots_office_day_half')
    )
    op.create_table('marriage_booking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('half_day', sa.String(length=2), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['marriage_bookings.id'], name=op.f('fk_marriage_booking_events_booking_id_marriage_bookings')),
    sa.ForeignKeyConstraint(['office_id'], ['marriage_offices.id'], name=op.f('fk_marriage_booking_events_office_id_marriage_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marriage_booking_events'))
    )
    with op.batch_alter_table('marriage_booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_marriage_booking_events_booking_id'), ['booking_id'], unique=False)

    op.create_table('marriage_person_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['marriage_bookings.id'], name=op.f('fk_marriage_person_days_booking_id_marriage_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marriage_person_days')),
    sa.UniqueConstraint('person_key', 'day', name='uq_marriage_person_days_person_day')
    )
    with op.batch_alter_table('marriage_person_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_marriage_person_days_booking_id'), ['booking_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('marriage_person_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_marriage_person_days_booking_id'))
    op.drop_table('marriage_person_days')
    with op.batch_alter_table('marriage_booking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_marriage_booking_events_booking_id'))
    op.drop_table('marriage_booking_events')
    op.drop_table('marriage_slots')
    op.drop_table('marriage_bookings')
    op.drop_table('marriage_reference_counters')
    op.drop_table('marriage_offices')
