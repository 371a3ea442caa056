"""What happened to challenges, announced for the apps above this one (the API's webhooks).

These signals are an extension point, not a place for rules: the layers let the challenges app
call nothing above it, so it says what it wrote and a listener up there (``api.webhooks``) records
what it needs in the same transaction. Both are sent inside the writing transaction; a listener
that queues work must do it on commit.
"""

from django.dispatch import Signal

# ``checkin`` (a CheckIn just created or corrected), ``corrected`` (bool).
checkin_recorded = Signal()
# ``accelerator_id``, ``transitions`` (``(challenge_id, from_phase, to_phase, effective_on)`` of the
# PhaseTransition rows this clock run inserted, a sequence read from the database on first use; a
# transition's key is its challenge and ``to_phase``).
phases_changed = Signal()
