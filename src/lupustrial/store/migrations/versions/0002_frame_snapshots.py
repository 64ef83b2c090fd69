"""Frame snapshots: columnar copies of big tables, patched on load from the audit log.

See :mod:`lupustrial.store.snapshots` and docs/design/0002-frame-snapshots.md.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from lupustrial.store.snapshots import frame_snapshots

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    frame_snapshots.create(op.get_bind())


def downgrade() -> None:  # a cache: dropping it loses nothing
    frame_snapshots.drop(op.get_bind())
