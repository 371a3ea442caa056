"""The officials' dashboards: read-only, a fixed number of queries per page whatever the data.

Thin views: find what the reader may see (404 outside it), read through ``dashboards.selectors``,
render. The cohort board serves its table alone to htmx (``#board``) and whole to everyone else,
so filtering and sorting work with and without JavaScript, and the URL always carries them.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from challenges import results
from cohorts.calendar import journey_day
from cohorts.models import Accelerator, Cohort
from core import pagecache
from core.l10n import days_ago
from core.replica import reads_from_replica
from dashboards import exports, reports, selectors, services
from dashboards.charts import progress_charts, results_charts
from dashboards.forms import BoardFilterForm
from members.access import ACCELERATOR_READER, COHORT_READER
from members.policy import COHORT_READ, COHORT_READ_POST, PUBLIC_RESULTS, SIGNED_IN_PAGE, Scope, access


def _columns() -> list[tuple[str, str, bool]]:
    """(sort key, column heading, numeric column) in table order."""
    return [
        ("title", _("Challenge"), False),
        ("entity", _("Lead entity"), False),
        ("lead", _("Team lead"), False),
        ("phase", _("Phase"), False),
        ("day", _("Day"), True),
        ("progress", _("Progress vs expected"), False),
        ("status", _("Status"), False),
        ("checkin", _("Last check-in"), True),
        ("stale", _("Stale"), False),
    ]


@reads_from_replica
@access(SIGNED_IN_PAGE)
def dashboard_index(request):
    accelerators = selectors.dashboard_index(request.user)
    return render(request, "dashboards/index.html", {"accelerators": accelerators})


def _cached_content(request, template: str, key: str | None, context, frame: dict) -> HttpResponse:
    """A page whose content (the template's ``content`` partial) is drawn once per key; its frame
    (header, menus, the reader's name) is drawn for each reader. ``context`` makes the content's."""
    html = pagecache.cached(key, lambda: render_to_string(f"{template}#content", context(), request))
    return render(request, template, {**frame, "content_html": mark_safe(html)})  # noqa: S308 (our own template)


@reads_from_replica
@access(COHORT_READ, ACCELERATOR_READER)
def accelerator_overview(request, accelerator):
    today = accelerator.local_today()
    sources = selectors.accelerator_sources(user=request.user, accelerator=accelerator)
    key, _params = _page_key(request, f"overview:{accelerator.pk}", sources, today)

    def context() -> dict:
        results = selectors.accelerator_overview(user=request.user, accelerator=accelerator)
        return {"accelerator": accelerator, "results": results, "charts": results_charts(results), "today": today}

    frame = {"accelerator": accelerator, "theme_accelerator": accelerator}
    return _cached_content(request, "dashboards/accelerator_overview.html", key, context, frame)


# Rows per page of the board: the page costs the same at 300 or 3,000 challenges. Exports and
# the briefing carry every row.
PAGE_SIZE = 50


class _Board:
    """What the cohort board, its exports and its briefing share: the cohort and its filters."""

    def __init__(self, request, cohort: Cohort):
        self.cohort = cohort
        self.accelerator = self.cohort.accelerator
        self.today = self.accelerator.local_today()
        self.day = results.clamped_day(self.cohort, self.today)
        self.form = BoardFilterForm(request.GET, entities=selectors.entity_choices(cohort=self.cohort))
        self.filters = self.form.filters()

    def all_rows(self) -> list[selectors.BoardRow]:
        return selectors.board_rows(cohort=self.cohort, filters=self.filters, today=self.today)

    def page(self, number):
        """One page of rows (a COUNT and a LIMIT query); an out-of-range number gives the last page."""
        challenges = selectors.board_challenges(cohort=self.cohort, filters=self.filters)
        page = Paginator(challenges, PAGE_SIZE).get_page(number)
        page.rows = selectors.rows_for(page.object_list, today=self.today)
        return page

    def summary(self) -> dict:
        """The cohort as a whole: counts per status, its phase, and its progress chart (3 queries)."""
        counts, total = selectors.status_counts(cohort=self.cohort)
        phase, phase_label = results.cohort_phase(self.cohort, self.today)
        curve = selectors.cohort_progress_curve(cohort=self.cohort, today=self.today)
        return {
            "status_counts": counts,
            "total": total,
            "phase": phase,
            "phase_label": phase_label,
            "curve": curve,
            "charts": progress_charts(curve),
        }

    def is_filtered(self) -> bool:
        f = self.filters
        return bool(f.entity or f.status or f.phase or f.q)

    def filter_summary(self) -> list[tuple[str, str]]:
        """The filters in force, as (field label, chosen value) in the reader's language."""
        summary = []
        for name in ("q", "entity", "status", "phase"):
            value = getattr(self.filters, name)
            if value:
                field = self.form.fields[name]
                shown = dict(field.choices).get(value, value) if name != "q" else value
                summary.append((str(field.label), str(shown)))
        return summary


_ID_SENTINEL = 2147483647


def _for_display(rows: list[selectors.BoardRow]) -> list[selectors.BoardRow]:
    """Per-row text made in Python: the 300-row table stays one cheap loop in the template.

    Template tags such as ``{% blocktranslate %}``, ``{% url %}`` and number localisation cost
    tens of microseconds each; per row and per column they dominated the page's time.
    """
    link = reverse("challenge_detail", kwargs={"challenge_id": _ID_SENTINEL})
    progress = _("%(progress)s%% (expected %(expected)s%%)")
    ages: dict[int | None, str] = {}  # a few distinct ages per page: each phrase made once
    for row in rows:
        row.url = link.replace(str(_ID_SENTINEL), str(row.id))
        row.progress_text = row.standing_text or progress % {"progress": row.progress_pct, "expected": row.expected_pct}
        if row.checkin_age not in ages:
            ages[row.checkin_age] = days_ago(row.checkin_age)
        row.checkin_text = ages[row.checkin_age]
    return rows


def _page_links(request, page) -> dict[str, str]:
    """Links to the previous and next pages, keeping the filters and the sort."""
    links = {}
    for name, has, number in [
        ("previous", page.has_previous, lambda: page.previous_page_number()),
        ("next", page.has_next, lambda: page.next_page_number()),
    ]:
        if has():
            params = request.GET.copy()
            params["page"] = str(number())
            links[name] = f"?{params.urlencode()}"
    return links


def _sort_headers(request, current: str) -> list[dict]:
    headers = []
    for key, label, numeric in _columns():
        ascending, descending = current == key, current == f"-{key}"
        params = request.GET.copy()
        params["sort"] = f"-{key}" if ascending else key
        params.pop("page", None)
        headers.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "href": f"?{params.urlencode()}",
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
            }
        )
    return headers


# The code and templates that draw these pages: a deploy never serves a page the previous one drew.
_CODE_STAMP = pagecache.app_code_stamp(__file__, "dashboards")


BOARD_PARAMS = ("q", "entity", "status", "phase", "sort", "page")


def _page_key(request, name: str, sources, *parts, allowed=(), numbers=()) -> tuple[str | None, dict]:
    """The cache key of one page for this state of its data, and the query string as the page knows it;
    no key (render, never keep) inside a transaction or for a query string the page never writes."""
    params = pagecache.canonical_params(request.GET, allowed, numbers) if pagecache.shareable(request) else None
    if params is None:
        return None, {}
    key = pagecache.key(name, _CODE_STAMP, pagecache.digest(sources), sorted(params.items()), *parts)
    return key, params


def _board_is_cacheable(board: _Board, params: dict[str, str]) -> bool:
    """Every filter valid and the page asked for the page shown (``page=99999`` shows the last one)."""
    return board.form.is_valid() and params.get("page", "1") == str(board.page_number)


def _render_board(request, board: _Board, fragment: bool) -> str:
    """The board's content (or, for htmx, its table alone) as HTML: the expensive part of the page."""
    page = board.page(request.GET.get("page"))
    board.page_number = page.number
    context = {
        "cohort": board.cohort,
        "accelerator": board.accelerator,
        "form": board.form,
        "rows": _for_display(page.rows),
        "page": page,
        "pages": _page_links(request, page),
        "day_text": journey_day(board.cohort, board.today),
        "is_filtered": board.is_filtered(),
        "sort": board.filters.sort,
        "headers": _sort_headers(request, board.filters.sort),
        "query": request.GET.urlencode(),
        "board_url": reverse("cohort_board", kwargs={"cohort_id": board.cohort.pk}),
    }
    if fragment:
        return render_to_string("dashboards/_cohort_board.html#board", context, request)
    return render_to_string("dashboards/_cohort_board.html", context | board.summary(), request)


@reads_from_replica
@access(COHORT_READ, COHORT_READER)
def cohort_board(request, cohort):
    """The whole board, or its table alone for htmx; rendered once per state of the data it shows."""
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    today = cohort.accelerator.local_today()
    sources = selectors.cohort_sources(cohort)
    key, params = _page_key(
        request, f"cohort-board:{cohort.pk}", sources, today, fragment, allowed=BOARD_PARAMS, numbers=("entity", "page")
    )
    board = None

    def draw() -> str:
        nonlocal board
        board = _Board(request, cohort)
        return _render_board(request, board, fragment)

    html = pagecache.cached(key, draw, keep=lambda: _board_is_cacheable(board, params))
    if fragment:
        response = HttpResponse(html)
    else:
        context = {
            "cohort": cohort,
            "accelerator": cohort.accelerator,
            "theme_accelerator": cohort.accelerator,
            "board_html": mark_safe(html),  # noqa: S308 (rendered by our own template above)
        }
        response = render(request, "dashboards/cohort_board.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _board_document_key(request, cohort, name: str) -> str | None:
    """The exports and the briefing: every row of the board as filtered (the board's query string)."""
    key, params = _page_key(
        request,
        f"{name}:{cohort.pk}",
        selectors.cohort_sources(cohort),
        cohort.accelerator.local_today(),
        allowed=BOARD_PARAMS,
        numbers=("entity", "page"),
    )
    return key


def _export(request, cohort, extension: str) -> HttpResponse:
    key = _board_document_key(request, cohort, f"export-{extension}")
    board = None

    def draw() -> bytes:
        nonlocal board
        board = _Board(request, cohort)
        headers = exports.export_headers()
        table = exports.export_table(board.all_rows(), day=board.day)
        if extension == "csv":
            return exports.to_csv(headers, table)
        return exports.to_xlsx(headers, table, title=board.cohort.name, right_to_left=translation.get_language_bidi())

    content = pagecache.cached(key, draw, keep=lambda: board.form.is_valid())
    if extension == "csv":
        content_type = "text/csv; charset=utf-8"
    else:
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(cohort, extension)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@reads_from_replica
@access(COHORT_READ, COHORT_READER)
def cohort_export_csv(request, cohort):
    return _export(request, cohort, "csv")


@reads_from_replica
@access(COHORT_READ, COHORT_READER)
def cohort_export_xlsx(request, cohort):
    return _export(request, cohort, "xlsx")


@reads_from_replica
@access(COHORT_READ, COHORT_READER)
def cohort_briefing(request, cohort):
    """A printable briefing of the cohort, in the reader's language (right-to-left in Arabic)."""
    key = _board_document_key(request, cohort, "briefing")
    board = None

    def draw() -> bytes:
        nonlocal board
        board = _Board(request, cohort)
        context = {
            "cohort": board.cohort,
            "accelerator": board.accelerator,
            "theme_accelerator": board.accelerator,
            "rows": board.all_rows(),
            "day_text": journey_day(board.cohort, board.today),
            "today": board.today,
            "filter_summary": board.filter_summary(),
            **board.summary(),
            "query": request.GET.urlencode(),
        }
        # Kept as bytes, as the response sends it: a briefing of 3,000 challenges is 1.6 MB, which a
        # str would be decoded and encoded again on every hit.
        return render_to_string("dashboards/briefing.html", context, request).encode()

    return HttpResponse(pagecache.cached(key, draw, keep=lambda: board.form.is_valid()))


# --- Reports: the page, and the same template as PDF -------------------------------------------------


def _pdf_key(name: str, sources, *parts) -> str:
    """The key of a report's PDF: its page's key without a query string (the PDF takes none).

    Unlike a cached page it is given inside a transaction too: the row it names is written in that
    same transaction, so it becomes everyone's exactly when the rows the PDF was drawn from do.
    """
    return pagecache.key(name, _CODE_STAMP, pagecache.digest(sources), *parts)


def _pdf_response(request, *, key: str, html, filename: str, here: str, retry: str, back: str) -> HttpResponse:
    """The report's PDF once a worker has drawn it; until then a page that waits for it (its status
    alone for htmx's poll, which is sent on to the PDF once it is ready), or says it failed.

    ``html()`` renders the report for the PDF; it runs only for the first request of a key.
    """
    report, _queued = services.rendered_report_request(key=key, html=html)
    poll = bool(request.htmx) and not request.htmx.history_restore_request
    if report.state == report.State.READY:
        if poll:
            response = HttpResponseClientRedirect(here)
        else:
            response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
            language = translation.get_language() or "en"
            response["Content-Disposition"] = f'inline; filename="{filename}-{language}.pdf"'
    else:
        template = "dashboards/report_pdf.html" + ("#status" if poll else "")
        context = {"report_pdf": report, "pdf_url": here, "retry_url": retry, "report_url": back}
        response = render(request, template, context)
        add_never_cache_headers(response)
    patch_vary_headers(response, ["Accept-Language", "Cookie", "HX-Request"])
    return response


def _cohort_report_key(request, cohort, name: str, allowed=()) -> tuple[str | None, dict]:
    today, sources = cohort.accelerator.local_today(), selectors.cohort_sources(cohort)
    return _page_key(request, f"{name}:{cohort.pk}", sources, today, allowed=allowed, numbers=allowed)


def _cohort_report_pdf_key(cohort) -> str:
    sources = selectors.cohort_sources(cohort)
    return _pdf_key(f"cohort-report-pdf:{cohort.pk}", sources, cohort.accelerator.local_today())


def _cohort_report_context(cohort, page=None) -> dict:
    accelerator = cohort.accelerator
    report = reports.cohort_report(cohort=cohort, today=accelerator.local_today(), page=page)
    return {
        "report": report,
        "accelerator": accelerator,
        "breakdowns": [(_("By lead entity"), report.by_entity), (_("By field"), report.by_field)],
    }


@access(COHORT_READ, COHORT_READER)
def cohort_report(request, cohort):
    """The cohort report at today's day (the Day-100 report once Day 100 has passed), a page of
    its challenges at a time (``?page=``; the PDF holds them all)."""
    key, params = _cohort_report_key(request, cohort, "cohort-report", allowed=("page",))
    context = None

    def draw() -> bytes:
        nonlocal context
        context = _cohort_report_context(cohort, page=request.GET.get("page") or 1)
        return render_to_string("dashboards/report.html", context, request).encode()  # bytes: see the briefing

    # ``page=99999`` shows the last page: kept only under the number it shows.
    shown = lambda: params.get("page", "1") == str(context["report"].page.number)  # noqa: E731
    return HttpResponse(pagecache.cached(key, draw, keep=shown))


@access(COHORT_READ, COHORT_READER)
def cohort_report_pdf(request, cohort):
    html = lambda: render_to_string("dashboards/report.html", {**_cohort_report_context(cohort), "pdf": True}, request)  # noqa: E731
    return _pdf_response(
        request,
        key=_cohort_report_pdf_key(cohort),
        html=html,
        filename=f"cohort-{cohort.pk}",
        here=reverse("cohort_report_pdf", args=[cohort.pk]),
        retry=reverse("cohort_report_pdf_retry", args=[cohort.pk]),
        back=reverse("cohort_report", args=[cohort.pk]),
    )


@access(COHORT_READ_POST, COHORT_READER)
def cohort_report_pdf_retry(request, cohort):
    """ "Try again" on a PDF that failed; then back to the page that waits for it."""
    services.rendered_report_retry(key=_cohort_report_pdf_key(cohort))
    return redirect("cohort_report_pdf", cohort_id=cohort.pk)


def _accelerator_report_key(request, accelerator, name: str) -> str | None:
    sources = selectors.accelerator_sources(user=request.user, accelerator=accelerator)
    return _page_key(request, f"{name}:{accelerator.pk}", sources, accelerator.local_today())[0]


def _accelerator_report_pdf_key(request, accelerator) -> str:
    sources = selectors.accelerator_sources(user=request.user, accelerator=accelerator)
    return _pdf_key(f"accelerator-report-pdf:{accelerator.pk}", sources, accelerator.local_today())


def _accelerator_report_context(request, accelerator) -> dict:
    return {
        "accelerator": accelerator,
        "years": reports.accelerator_report(user=request.user, accelerator=accelerator),
        "today": accelerator.local_today(),
    }


@access(COHORT_READ, ACCELERATOR_READER)
def accelerator_report(request, accelerator):
    key = _accelerator_report_key(request, accelerator, "accelerator-report")

    def draw() -> bytes:  # bytes: see the briefing
        context = _accelerator_report_context(request, accelerator)
        return render_to_string("dashboards/accelerator_report.html", context, request).encode()

    return HttpResponse(pagecache.cached(key, draw))


@access(COHORT_READ, ACCELERATOR_READER)
def accelerator_report_pdf(request, accelerator):
    context = lambda: {**_accelerator_report_context(request, accelerator), "pdf": True}  # noqa: E731
    return _pdf_response(
        request,
        key=_accelerator_report_pdf_key(request, accelerator),
        html=lambda: render_to_string("dashboards/accelerator_report.html", context(), request),
        filename=accelerator.slug,
        here=reverse("accelerator_report_pdf", args=[accelerator.slug]),
        retry=reverse("accelerator_report_pdf_retry", args=[accelerator.slug]),
        back=reverse("accelerator_report", args=[accelerator.slug]),
    )


@access(COHORT_READ_POST, ACCELERATOR_READER)
def accelerator_report_pdf_retry(request, accelerator):
    services.rendered_report_retry(key=_accelerator_report_pdf_key(request, accelerator))
    return redirect("accelerator_report_pdf", slug=accelerator.slug)


def _published_accelerator(user, slug: str):
    """Anyone may read it once its program team publishes it; 404 until then."""
    accelerator = Accelerator.objects.filter(slug=slug, publishes_results=True).first()
    if accelerator is None:
        raise Http404
    return accelerator


PUBLISHED_ACCELERATOR = Scope("slug", "accelerator", _published_accelerator)


@access(PUBLIC_RESULTS, PUBLISHED_ACCELERATOR)
def public_results(request, accelerator):
    """What each landed challenge set out to do and what it achieved, without personal data.

    Public, so the same for every reader: its content is rendered once per state of its data,
    language, local date and page (``core.pagecache``); the frame (the reader's menu) per request.
    """
    today = accelerator.local_today()
    params = pagecache.canonical_params(request.GET, ["page"], ["page"]) if pagecache.shareable(request) else None
    page_asked = request.GET.get("page", "1")
    key = None
    if params is not None:
        sources = reports.public_results_sources(accelerator=accelerator, today=today)
        key = pagecache.key(f"public-results:{accelerator.pk}", _CODE_STAMP, pagecache.digest(sources), today)
        key += f":{params.get('page', '1')}"
    drawn = {}

    def draw() -> str:
        page = reports.public_results(accelerator=accelerator, today=today, page=page_asked)
        drawn["page"] = page
        context = {"accelerator": accelerator, "results": page.object_list, "page": page, "today": today}
        # The links carry the page number alone, so the content never holds the reader's query string.
        context["pages"] = {name: f"?page={number}" for name, number in _page_numbers(page).items()}
        return render_to_string("dashboards/_public_results.html", context)

    # ``page=99999`` shows the last page: drawn, never kept under the number asked for.
    html = pagecache.cached(key, draw, keep=lambda: str(drawn["page"].number) == params.get("page", "1"))
    context = {
        "accelerator": accelerator,
        "theme_accelerator": accelerator,
        "results_html": mark_safe(html),  # noqa: S308 (rendered by our own template above)
    }
    return render(request, "dashboards/public_results.html", context)


def _page_numbers(page) -> dict[str, int]:
    numbers = {}
    if page.has_previous():
        numbers["previous"] = page.previous_page_number()
    if page.has_next():
        numbers["next"] = page.next_page_number()
    return numbers
