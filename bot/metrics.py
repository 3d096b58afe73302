"""Prometheus metrics of the bot, in one place, served at ``/metrics`` (``bot/health.py``).

Features count what they do with one line, e.g. ``metrics.REMINDERS_SENT.inc()`` after a
reminder went out, or ``metrics.DIGESTS_PENDING.set(n)``. Labels have small fixed value sets
(never a user, chat or command name), so the number of series stays bounded.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# No *_created series: they double the output and help no alert.
disable_created_metrics()  # type: ignore[no-untyped-call]

UPDATES = Counter(
    "sozialraum_updates_total",
    "Telegram updates handled, by kind (message, command, callback_query, inline_query, other).",
    ["kind"],
)
UPDATES_SKIPPED = Counter(
    "sozialraum_updates_skipped_total",
    "Updates not handled: already processed (duplicate delivery) or sender flooding.",
    ["reason"],
)
UPDATE_ERRORS = Counter(
    "sozialraum_update_errors_total",
    "Unexpected errors in handlers and jobs (an update's work is rolled back, the user told).",
)
UPDATE_LATENCY = Histogram(
    "sozialraum_update_duration_seconds",
    "Time from the start of handling an update to its commit.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REMINDERS_SENT = Counter(
    "sozialraum_reminders_sent_total",
    "Reminders delivered to users.",
)
DIGESTS_PENDING = Gauge(
    "sozialraum_digests_pending",
    "Digests due but not yet delivered.",
)
LEADER = Gauge(
    "sozialraum_scheduler_leader",
    "1 while this instance runs the scheduled work (holds the leader lock), else 0.",
)
SCHEDULED_RUNS = Counter(
    "sozialraum_scheduled_runs_total",
    "Runs of scheduled jobs on this instance, by job name.",
    ["job"],
)
TELEGRAM_RETRIES = Counter(
    "sozialraum_telegram_retries_total",
    "Bot API calls tried again after a failure: not_sent (no connection) or maybe_sent "
    "(5xx, dropped connection, timeout).",
    ["reason"],
)

UPDATE_KINDS = ("message", "command", "callback_query", "inline_query", "edited_message", "other")
SKIP_REASONS = ("duplicate", "flood")
RETRY_REASONS = ("not_sent", "maybe_sent")

# Every series exists from the start (at 0), so dashboards and rate() see it before it moves.
for _kind in UPDATE_KINDS:
    UPDATES.labels(kind=_kind)
for _reason in SKIP_REASONS:
    UPDATES_SKIPPED.labels(reason=_reason)
for _reason in RETRY_REASONS:
    TELEGRAM_RETRIES.labels(reason=_reason)
