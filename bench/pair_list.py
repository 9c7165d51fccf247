"""Print the guide-page paths of every listed pair (for the HTTP benchmark)."""

from __future__ import annotations

import json
import sys

from bench.common import setup_django


def main() -> None:
    setup_django()
    from medref.checker.repository import get_checker
    from medref.domain.paths import guide_path
    from medref.guides.sitemaps import guide_pairs

    json.dump(
        {"paths": [guide_path(a, b) for a, b in guide_pairs(get_checker().index())]},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
