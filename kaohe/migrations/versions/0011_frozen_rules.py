"""rule figures frozen into a published unit-assessment scheme (issue 12.6)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:10:00

``ua_scheme.rules`` holds, for a published scheme, every rule figure its scoring uses
(setting key → value). Schemes published before this revision get the values in force
now: the admin's stored setting, else the default of this revision (listed here, not
imported, so the migration stays what it was when the code moves on).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DEFAULTS = {
    "unitassess.band_excellent": 90.0,
    "unitassess.band_good": 80.0,
    "unitassess.band_fair": 60.0,
    "unitassess.excellent_quota_pct": 30,
    "unitassess.provincial_multiplier": 2.0,
    "unitassess.lag_ratio": 90,
    "unitassess.interview_last_n": 1,
    "unitassess.interview_lagging_min": 2,
    "discipline.deduct.talk": 0.5,
    "discipline.deduct.admonishment": 1.0,
    "discipline.deduct.organizational": 2.0,
    "discipline.deduct.party": 3.0,
    "discipline.deduct.administrative": 3.0,
}


def upgrade():
    with op.batch_alter_table("ua_scheme") as batch:
        batch.add_column(sa.Column("rules", sa.JSON(), nullable=True))
    conn = op.get_bind()
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.JSON))
    scheme = sa.table("ua_scheme", sa.column("id", sa.Integer), sa.column("status", sa.String),
                      sa.column("rules", sa.JSON))
    stored = dict(conn.execute(sa.select(setting.c.key, setting.c.value)
                               .where(setting.c.key.in_(list(DEFAULTS)))).all())
    rules = {key: default if stored.get(key) is None else stored[key]
             for key, default in DEFAULTS.items()}
    conn.execute(scheme.update().where(scheme.c.status == "published").values(rules=rules))


def downgrade():
    with op.batch_alter_table("ua_scheme") as batch:
        batch.drop_column("rules")
