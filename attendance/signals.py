"""Signals attendance sends for other capabilities to react to, inside the same transaction.

``absence_finding_confirmed`` (sender=AbsenceFinding, finding=…, actor=…) — a finding became
confirmed. Recall (assessment app, 第二十条2) listens and opens a case when the count is reached.
"""

from django.dispatch import Signal

absence_finding_confirmed = Signal()
