"""At most one task of a kind waiting in the queue.

A flag in the cache the web processes and the workers share says that a task (the outbox
dispatch, the indicator drain) has been sent and has not started yet. A commit sends the task only
when it can set the flag; the task clears the flag when it starts, before it looks for work, so
anything committed after that sends a new one. A flag whose task was lost expires after ``ttl``
seconds; the periodic safety nets (the outbox sweep, the periodic drain) cover the gap.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def send_unless_queued(flag, send, *, ttl):
    """Call ``send()`` unless one is already waiting (``flag`` set); returns whether it was sent.
    With the cache down it sends anyway. If ``send`` raises, the flag is cleared (nothing is
    waiting after all) and the exception goes to the caller."""
    try:
        if not cache.add(flag, 1, timeout=ttl):
            return False
    except Exception:  # the cache is down: better a task too many than none
        logger.warning("Could not set the queue flag %s; sending anyway.", flag)
    try:
        send()
    except Exception:
        queued_flag_clear(flag)
        raise
    return True


def queued_flag_clear(flag):
    """The task has started: a later commit must send a new one."""
    try:
        cache.delete(flag)
    except Exception:  # the cache is down: the flag expires on its own
        logger.warning("Could not clear the queue flag %s.", flag)
