"""How the sale's activities retry: until they succeed, unless the failure is permanent.

A database or mail server that is down makes the sale wait, never fail; each activity is
idempotent on its key, so a retry never writes or sends twice. An activity that meets a
failure no retry can fix raises a non-retryable `ApplicationError`, and the sale shows an alert.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
RECORD_TIMEOUT = timedelta(seconds=30)
# Well above the SMTP client's own timeout: a retry started while the first attempt still talks
# to the server could send the message twice.
MAIL_TIMEOUT = timedelta(minutes=2)
