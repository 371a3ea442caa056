"""The API's lists, drawn once per state of their data for every token of an accelerator.

A token stands for its accelerator, not a person (``principals.Principal``): every token of an
accelerator reads the same lists. So a list's body is kept in the cache on the rule every cached
page follows (``core.pagecache``), keyed on

- the code that draws it (this app, the results and the calendar it reads);
- the route and its validated parameters (the lists' filters, limit and offset);
- the accelerator and its local date (days and phases move with it);
- the digest of the rows it is drawn from: the accelerator, its cohorts, their change stamps
  (``cohorts.CohortChange``: triggers stamp a cohort on every write of its challenges and their
  check-ins) and its entities (a challenge's lead entity).

A signed-in person's lists are drawn every time: what a person sees follows grants and seats,
which no stamp stands for. Nothing is kept from inside a transaction (``pagecache.shareable``).
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from django.http import HttpResponse

from challenges import results
from cohorts import calendar
from cohorts.models import Accelerator, Cohort, CohortChange, Entity
from core import pagecache
from core.pagecache import Rows

JSON = "application/json; charset=utf-8"
_CODE_STAMP = pagecache.code_stamp(
    [*Path(__file__).resolve().parent.glob("*.py"), Path(results.__file__), Path(calendar.__file__)]
)


def token_sources(accelerator_id: int) -> list[Rows]:
    """Every row a token's lists are drawn from, narrowed to its accelerator."""
    cohorts = f"SELECT k.id FROM {Cohort._meta.db_table} k WHERE k.accelerator_id = %s"
    return [
        Rows(Accelerator, "t.id = %s", (accelerator_id,)),
        Rows(Cohort, "t.accelerator_id = %s", (accelerator_id,), ids=True),
        Rows(CohortChange, f"t.cohort_id IN ({cohorts})", (accelerator_id,), exact=True),
        Rows(Entity, "t.accelerator_id = %s", (accelerator_id,)),
    ]


def kept_for_tokens(read):
    """Marks a list route whose body is kept for an accelerator's tokens; ``keep_marked`` keeps it."""
    read.kept_for_tokens = True
    return read


def keep_marked(read):
    """Router decorator (mode "operation": after ninja has authenticated the caller and read the
    parameters, so the key holds them as validated): a marked route's body, drawn once per state
    of its data for all of an accelerator's tokens. Other routes are left as they are."""
    if not getattr(read, "kept_for_tokens", False):
        return read

    @wraps(read)
    def wrapped(request, *args, **kwargs):
        token = request.auth.token
        if token is None or not pagecache.shareable(request):
            return read(request, *args, **kwargs)
        accelerator = token.accelerator
        key = pagecache.key(
            f"api-{read.__name__}",
            _CODE_STAMP,
            accelerator.pk,
            accelerator.local_today(),
            sorted(kwargs.items()),
            pagecache.digest(token_sources(accelerator.pk)),
        )
        body = pagecache.cached(key, lambda: read(request, *args, **kwargs).content)
        return HttpResponse(body, content_type=JSON)

    return wrapped
