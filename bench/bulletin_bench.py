"""The bulletin's figures (公报数据) of a 100,000-case session: the page's computation and its
.xlsx, in-process on the supervision suite's data set (one session: no previous session to
compare, so a page with one costs about twice the figures)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from models import CongressSession
from workflows import bulletin, bulletin_report

from .common import median_ms, report
from .supervision_bench import supervision_database

NOW = datetime(2026, 9, 1, tzinfo=timezone.utc)


def main() -> None:
    db = supervision_database()
    with db.session() as s:
        congress = s.scalar(select(CongressSession))
        report("bulletin_100k_ms", median_ms(lambda: bulletin.bulletin(s, congress, NOW),
                                             repeat=5, warmup=1), "ms")
        figures = bulletin.bulletin(s, congress, NOW)
        report("bulletin_xlsx_100k_ms",
               median_ms(lambda: bulletin_report.to_xlsx(figures), repeat=5, warmup=1), "ms")
    db.dispose()


if __name__ == "__main__":
    main()
