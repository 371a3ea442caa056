"""The simulation page: a program admin or coach watches a cohort's 100 days go by, week by week.

Each request runs the real jobs (``challenges.simulation``) inside a transaction that is rolled
back, up to the week asked for: "Next week" steps on (htmx swaps the table in, the link works
without JavaScript too), "Run to the end" shows every week. Nothing is kept.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from members.policy import SIGNED_IN_PAGE, SIMULATE, access

from .access import COHORT_SIMULATOR, cohorts_simulable_by
from .models import Status
from .simulation import STATUS_ORDER, Scenario, simulate

BAR_WIDTH = 240
STATUS_CLASSES = {
    Status.NOT_STARTED: "fill-aeblack-200",
    Status.ON_TRACK: "fill-aegreen-500",
    Status.AT_RISK: "fill-camel-400",
    Status.OFF_TRACK: "fill-aered-600",
    Status.ACHIEVED: "fill-aegreen-800",
    Status.SUSTAINED: "fill-aegreen-700",
    Status.SLIPPING: "fill-aered-400",
    Status.WITHDRAWN: "fill-aeblack-500",
}


class SimulationForm(forms.Form):
    scenario = forms.ChoiceField(label=_("What the teams do"), choices=Scenario.choices, required=False)
    week = forms.IntegerField(min_value=1, max_value=200, required=False, widget=forms.HiddenInput)
    run = forms.ChoiceField(choices=[("all", "all")], required=False, widget=forms.HiddenInput)


@access(SIGNED_IN_PAGE)
def simulation_index(request):
    cohorts = cohorts_simulable_by(request.user).select_related("accelerator").order_by("accelerator__name", "-number")
    return render(request, "challenges/simulation_index.html", {"cohorts": cohorts})


def _bars(week, total: int) -> list[dict]:
    """The week's statuses as segments of one stacked bar (SVG attributes, no inline style)."""
    segments, x = [], 0.0
    for status in STATUS_ORDER:
        count = week.count(status)
        if count and total:
            width = round(BAR_WIDTH * count / total, 1)
            segments.append(
                {"x": x, "width": width, "class": STATUS_CLASSES[status], "label": Status(status).label, "count": count}
            )
            x += width
    return segments


@access(SIMULATE, COHORT_SIMULATOR)
def simulation_page(request, cohort):
    form = SimulationForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    scenario = data.get("scenario") or Scenario.SILENT
    run_all = data.get("run") == "all"
    shown = None if run_all else (data.get("week") or 1)
    sim = simulate(cohort=cohort, scenario=scenario, as_if_launched=True, stand_in=request.user, weeks_limit=shown)
    for week in sim.weeks:
        week.bars = _bars(week, sim.challenge_count)
    context = {
        "cohort": cohort,
        "theme_accelerator": cohort.accelerator,
        "sim": sim,
        "form": SimulationForm(initial={"scenario": scenario}),
        "scenario": scenario,
        "next_week": (shown or 0) + 1,
        "finished": run_all or sim.finished,
        "bar_width": BAR_WIDTH,
        "statuses": [(status, Status(status).label, STATUS_CLASSES[status]) for status in STATUS_ORDER],
    }
    template = "challenges/simulation.html#weeks" if request.htmx else "challenges/simulation.html"
    return render(request, template, context)
