"""Screenshots for a person to look at, in test-artifacts/ (git-ignored), taken when ``SCREENSHOTS=1``.

They assert nothing, and a full-page PNG of a long page costs as much as the checks made on it
(the accessibility walks spent a third of their time on them), so the suite takes them only when
asked: ``make screenshots`` runs the browser tests with ``SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

TAKEN = os.environ.get("SCREENSHOTS") == "1"


def save(page, path: Path | str, *, full_page: bool = True) -> None:
    if not TAKEN:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
