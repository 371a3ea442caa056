"""The cohorts' change stamps (``cohorts.CohortChange``): triggers write them, this keeps them few.

On PostgreSQL every transaction that writes a cohort's challenges, team leads or landings leaves
one stamp for that cohort; ``cohort_changes_compact`` merges each cohort's stamps into one, in a
transaction of its own (beat, every 15 minutes), so the pages' digest reads a handful of rows per
cohort. The merged stamp is a new row, so the merge changes the digest (the page is drawn once
more, never served for other data); a stamp a writer has not committed yet is not seen, so not
merged: it lands beside the merged one. On SQLite each cohort has one stamp already.
"""

from __future__ import annotations

from django.db import connection, transaction

from cohorts.models import Cohort, CohortChange

STAMPS = CohortChange._meta.db_table


def cohort_changes_compact() -> int:
    """Merge each cohort's stamps into one; drop those of cohorts that are gone. Returns the number
    of cohorts merged."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH merged AS (
                DELETE FROM {STAMPS} t
                WHERE t.cohort_id IN (SELECT cohort_id FROM {STAMPS} GROUP BY cohort_id HAVING COUNT(*) > 1)
                RETURNING t.cohort_id, t.weight
            )
            INSERT INTO {STAMPS} (cohort_id, xact, weight)
            SELECT cohort_id, pg_current_xact_id()::text::bigint, SUM(weight) FROM merged GROUP BY cohort_id
            """
        )
        merged = cursor.rowcount
        cohorts = Cohort._meta.db_table
        cursor.execute(f"DELETE FROM {STAMPS} t WHERE NOT EXISTS (SELECT 1 FROM {cohorts} k WHERE k.id = t.cohort_id)")
    return merged
