"""``{% journey_summary challenge %}``: the journey's place on the challenge page.

A template tag, so the challenge page (in the app below this one) shows the journey without
importing it; three queries whatever the number of artifacts.
"""

from django import template

from challenges.models import Station

from .. import services
from ..artifacts import ORDER, SPECS
from ..models import Artifact, Pledge

register = template.Library()


@register.inclusion_tag("journey/_summary.html")
def journey_summary(challenge):
    written = {a.kind: a for a in Artifact.objects.filter(challenge=challenge).only("kind", "produced_on", "version")}
    stations = list(Station.objects.filter(challenge=challenge).only("kind", "due_on"))
    rows = [
        {
            "kind": kind,
            "label": SPECS[kind].kind.label,
            "due_on": services.due_on(challenge, SPECS[kind], stations),
            "artifact": written.get(kind),
        }
        for kind in ORDER
    ]
    return {"challenge": challenge, "rows": rows, "pledges": list(Pledge.objects.filter(challenge=challenge))}
