"""axe-core, the accessibility checker (npm, package.json), run in a page the way every browser test runs it.

The live server serves the script at ``AXE_URL`` (tests/browser/conftest.py) with a cache lifetime,
so Chromium compiles its half a megabyte once per browser context, not once per page load as a
script injected by its text would be.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/static/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def run_axe(page) -> list[dict]:
    """The serious and critical violations on the page as it is now: id, impact, help, nodes."""
    if page.evaluate("() => typeof axe === 'undefined'"):  # once per page load
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    return [v for v in result if v["impact"] in BLOCKING_IMPACTS]
