"""The run report: one self-contained HTML file (charts as inline SVG drawn by matplotlib) from the run history."""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from crawler.monitoring.history import KILLED

# One colour per outcome, the same in every chart and table.
OK_COLOUR = "#2ca02c"
FAILED_COLOUR = "#d62728"
KILLED_COLOUR = "#7f7f7f"
NEW_COLOUR = "#1f77b4"
UPDATED_COLOUR = "#ff7f0e"
ALARM_COLOUR = "#b5179e"  # a field's coverage under its minimum; in no default colour cycle
# Nothing may be fetched when the file is opened: styles inline, no scripts, images only as data.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.ok { color: #1b7a1b; } .bad { color: #b00; font-weight: bold; } .killed { color: #666; font-weight: bold; }
.chart svg { max-width: 100%; height: auto; }
code { font-size: 0.85em; white-space: pre-wrap; word-break: break-all; }
"""


def _outcome_colour(record: dict[str, Any]) -> str:
    if record.get("status") is None:
        return KILLED_COLOUR
    return OK_COLOUR if record.get("status") == 0 else FAILED_COLOUR


def _css_class(record: dict[str, Any]) -> str:
    if record.get("status") is None:
        return "killed"
    return "ok" if record.get("status") == 0 else "bad"


def _label(record: dict[str, Any], layout: str = "%m-%d %H:%M") -> str:
    started = str(record.get("started", ""))
    try:
        return datetime.fromisoformat(started).astimezone(timezone.utc).strftime(layout)
    except ValueError:
        return started[:16]


def _count(record: dict[str, Any], name: str) -> int:
    counts = record.get("counts") or {}
    value = counts.get(name, 0)
    return int(value) if isinstance(value, (int, float)) else 0


def _share(part: int, whole: int) -> float:
    return part / whole if whole else math.nan


class Charts:
    """The report's charts, one SVG string each; the runs on the x axis, failed runs shaded red."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
        matplotlib.rcParams["svg.hashsalt"] = "bs-crawler"  # the same history gives the same file
        # Labels are the history's text, not TeX: a "$" in a field's name or a status (a record edited by
        # hand) was read as mathtext, and one it could not parse ended the report in a traceback.
        matplotlib.rcParams["text.parse_math"] = False
        self.records = list(records)
        self.x = list(range(len(self.records)))

    def _figure(self, title: str, draw: Callable[[Any], None], height: float = 2.6) -> str:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(11, height), layout="constrained")
        axes = figure.add_subplot()
        for i, record in enumerate(self.records):
            if record.get("status") != 0:
                axes.axvspan(i - 0.5, i + 0.5, color=_outcome_colour(record), alpha=0.15, linewidth=0)
        draw(axes)
        axes.set_title(title, loc="left", fontsize=11)
        axes.set_xlim(-0.5, len(self.records) - 0.5)
        step = max(1, math.ceil(len(self.records) / 24))
        ticks = self.x[::step]
        labels = [_label(self.records[i]) for i in ticks]
        if len(set(labels)) < len(labels):  # runs minutes apart
            labels = [_label(self.records[i], "%m-%d %H:%M:%S") for i in ticks]
        axes.set_xticks(ticks, labels, rotation=30, ha="right", fontsize=8)
        axes.grid(axis="y", alpha=0.3)
        buffer = io.StringIO()
        # No metadata block: the file says what made it once, in its own footer.
        figure.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
        svg = buffer.getvalue()
        return svg[svg.index("<svg") :]  # without the XML declaration and DOCTYPE: inline in HTML

    def statuses(self) -> str:
        def draw(axes: Any) -> None:
            colours = [_outcome_colour(r) for r in self.records]
            axes.bar(self.x, [1] * len(self.x), color=colours, width=0.8)
            for i, record in enumerate(self.records):
                if record.get("status") != 0:
                    axes.text(i, 0.5, str(record.get("status_words", "")), rotation=90, ha="center", va="center", fontsize=8, color="white")
            axes.set_yticks([])
            from matplotlib.patches import Patch

            axes.legend(
                handles=[Patch(color=OK_COLOUR, label="ok"), Patch(color=FAILED_COLOUR, label="failed (exit ≠ 0)"), Patch(color=KILLED_COLOUR, label=KILLED)],
                loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
            )

        return self._figure("Exit status per run", draw, height=1.9)

    def articles(self) -> str:
        def draw(axes: Any) -> None:
            new = [_count(r, "new") for r in self.records]
            updated = [_count(r, "updated") for r in self.records]
            axes.bar(self.x, new, color=NEW_COLOUR, label="new", width=0.8)
            axes.bar(self.x, updated, bottom=new, color=UPDATED_COLOUR, label="updated", width=0.8)
            axes.set_ylabel("articles")
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)

        return self._figure("Articles new and updated per run", draw)

    def coverage(self, thresholds: dict[str, float]) -> str:
        # The fields with a minimum (BS_MIN_FIELD_COVERAGE): the redesign alarm. Others vary with the
        # articles (a disclaimer, "also read"); the latest run's table lists them.
        fields = sorted(thresholds) or sorted({f for r in self.records for f in (r.get("coverage") or {})})

        def draw(axes: Any) -> None:
            for field in fields:
                values = [(r.get("coverage") or {}).get(field, math.nan) * 100 for r in self.records]
                axes.plot(self.x, values, marker="o", markersize=3, label=field, linewidth=1.4)
            low = [
                (i, value * 100)
                for i, record in enumerate(self.records)
                for field, value in (record.get("coverage") or {}).items()
                if field in thresholds and value < thresholds[field]
            ]
            if low:
                axes.scatter([i for i, _ in low], [v for _, v in low], marker="X", s=90, color=ALARM_COLOUR, zorder=5, label="below its minimum")
            axes.set_ylim(-5, 105)
            axes.set_ylabel("% of items")
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)

        return self._figure("Field coverage per run (a drop: a site redesign?)", draw, height=3.2)

    def shares(self) -> str:
        def draw(axes: Any) -> None:
            blocked = [_share(_count(r, "blocked"), _count(r, "responses")) * 100 for r in self.records]
            failed = [_share(_count(r, "failed"), _count(r, "requests")) * 100 for r in self.records]
            limited = [_share(_count(r, "rate_limited"), _count(r, "responses")) * 100 for r in self.records]
            axes.plot(self.x, blocked, marker="o", markersize=3, color=FAILED_COLOUR, label="blocked / responses")
            axes.plot(self.x, failed, marker="s", markersize=3, color="#9467bd", label="failed / requests")
            axes.plot(self.x, limited, marker="^", markersize=3, color="#8c564b", label="429 / responses")
            axes.set_ylim(-5, 105)
            axes.set_ylabel("%")
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)

        return self._figure("Block and failure shares per run", draw)

    def durations(self) -> str:
        seconds = [float(r.get("duration_s") or 0) for r in self.records]
        unit, scale = ("minutes", 60.0) if max(seconds, default=0) >= 300 else ("seconds", 1.0)

        def draw(axes: Any) -> None:
            axes.bar(self.x, [s / scale for s in seconds], color=[_outcome_colour(r) for r in self.records], width=0.8)
            axes.set_ylabel(unit)

        return self._figure("Run duration", draw)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _status_cell(record: dict[str, Any]) -> str:
    return f'<span class="{_css_class(record)}">{html.escape(str(record.get("status_words", "")))}</span>'


def _latest(record: dict[str, Any]) -> str:
    e = html.escape
    counts = record.get("counts") or {}
    facts = [
        ("spider", e(str(record.get("spider", "")))),
        ("arguments", e(" ".join(f"{k}={v}" for k, v in (record.get("arguments") or {}).items()) or "none")),
        ("started", e(str(record.get("started", "")))),
        ("finished", e(str(record.get("finished", "")))),
        ("exit status", f"{_status_cell(record)} ({e(str(record.get('status')))}): {e(str(record.get('reason', '')))}"),
        ("summary", f"<code>{e(str(record.get('summary', '')))}</code>"),
        ("counts", e(", ".join(f"{k}={v}" for k, v in counts.items()))),
        ("layouts", e(", ".join(f"{k}={v}" for k, v in (record.get("layouts") or {}).items()) or "none")),
        ("coverage", e(", ".join(f"{k} {v:.0%}" for k, v in (record.get("coverage") or {}).items()) or "no items")),
        ("failures", e(", ".join(f"{k}={v}" for k, v in (record.get("failed") or {}).items()) or "none")),
        ("Splash", e(str(record.get("splash", {})))),
        ("Redis", e(str(record.get("redis", {})))),
        ("versions", e(", ".join(f"{k} {v}" for k, v in (record.get("versions") or {}).items()))),
        ("host / pid", e(f"{record.get('host', '')} / {record.get('pid', '')}")),
    ]
    return _table(("", ""), [(f"<b>{k}</b>", v) for k, v in facts])


def _runs_table(records: Sequence[dict[str, Any]]) -> str:
    rows = []
    for record in reversed(records):
        rows.append((
            html.escape(_label(record)),
            _status_cell(record),
            *(str(_count(record, n)) if n != "emitted" or not _count(record, "recovered") else f"{_count(record, n)}+{_count(record, 'recovered')}"
              for n in ("new", "updated", "emitted", "blocked", "failed")),
            html.escape(str(record.get("duration_s", ""))),
            html.escape("" if record.get("status") == 0 else str(record.get("reason", ""))),
        ))
    return _table(("started (UTC)", "status", "new", "updated", "emitted", "blocked", "failed", "seconds", "reason"), rows, numeric=(2, 3, 4, 5, 6, 7))


def render(records: Sequence[dict[str, Any]], thresholds: dict[str, float], title: str = "Business Standard crawler: runs") -> str:
    """The report's HTML: per spider, the charts over its runs (oldest left) and its latest run's details;
    ``records`` oldest first, as the run history orders them."""
    by_spider: dict[str, list[dict[str, Any]]] = {}
    # In the history's order, as `scrapy runs` lists them: sorted by their start again, a run recorded
    # after the clock was set back came before the run it followed, which the report called the latest.
    for record in records:
        by_spider.setdefault(str(record.get("spider", "?")), []).append(record)
    made = datetime.now(timezone.utc).isoformat(timespec="seconds")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{len(records)} runs, made {made}. Shaded runs did not end ok (red: failed, grey: killed).</p>",
    ]
    if not records:
        parts.append("<p>No runs recorded.</p>")
    for spider, runs in sorted(by_spider.items()):
        charts = Charts(runs)
        failed = sum(1 for r in runs if r.get("status") != 0)
        anchor = re.sub(r"[^a-z0-9_-]", "-", spider.lower())
        parts += [
            f'<h2 id="{anchor}">{html.escape(spider)}: {len(runs)} runs, {failed} not ok</h2>',
            "<h3>Latest run</h3>",
            _latest(runs[-1]),
        ]
        for name, svg in (
            ("statuses", charts.statuses()),
            ("articles", charts.articles()),
            ("coverage", charts.coverage(thresholds)),
            ("shares", charts.shares()),
            ("durations", charts.durations()),
        ):
            parts.append(f'<div class="chart" id="{anchor}-{name}">{svg}</div>')
        parts += ["<h3>Runs, newest first</h3>", _runs_table(runs)]
    parts.append("</body></html>")
    return "\n".join(parts)
