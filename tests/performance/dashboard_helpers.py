"""What the dashboard page tests share: the moment they run at, the pages, and readers for the rows
and links a page shows."""

import re

from django.urls import reverse

from .conftest import PAGES_NOW

NOW = PAGES_NOW  # where the ``now`` fixture stops the clock


def at(time_machine, moment):
    time_machine.move_to(moment, tick=False)


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def rows_listed(response):
    """The mission references listed on a drill-down page."""
    return re.findall(r">(M-\d{6})<", response.content.decode())


def link_after(html, text):
    """The href of the link whose accessible name starts with ``text``."""
    name = r'(?: aria-label="|><span aria-hidden="true">[^<]*</span><span class="visually-hidden">)'
    match = re.search(r'href="([^"]+)"' + name + re.escape(text), html)
    assert match, f"no link for {text!r}"
    return match[1].replace("&amp;", "&")


def operation_url(code):
    return reverse("performance:operation", args=[code])


PAGES = [
    operation_url("VIBRANT"), operation_url("SCEPTRE"), operation_url("GUARDIAN"), operation_url("CAPTIVA"),
    operation_url("HENHOUSE"), reverse("performance:patrols"), reverse("performance:today"),
    reverse("performance:trm-pack", args=["2026-10-20"]),
    *(reverse("performance:rows", args=[s])
      for s in ("missions", "outcomes", "visits", "patrols", "crimes", "requests")),
]  # fmt: skip
