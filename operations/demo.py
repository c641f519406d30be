"""Demo users, one per role. Demo activity for each domain registers itself here."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import Role

DEMO_USERS = [
    ("viewer", "Vic", "Viewer", Role.VIEWER),
    ("mission", "Morgan", "Mission Support", Role.MISSION_SUPPORT),
    ("supervisor", "Sam", "Superintendent", Role.SUPERVISOR),
    ("admin", "Alex", "Administrator", Role.ADMINISTRATOR),
]

# Other apps append callables ``fn(stdout)`` that add their own demo activity (idempotently),
# and finishers that run once after the demo's events have been dispatched.
demo_builders = []
demo_finishers = []


@transaction.atomic
def demo_users_ensure(*, password=""):
    """Create missing demo users. Returns (created usernames, the password used for them).

    With ``password`` given, every demo user ends up with it (existing ones are reset only if
    theirs differs). Without it a random password is generated for the users created now.
    """
    user_model = get_user_model()
    generated = password or secrets.token_urlsafe(12)
    created = []
    for username, first, last, role in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=first, last_name=last)
            user.is_staff = role == Role.ADMINISTRATOR
            user.is_superuser = role == Role.ADMINISTRATOR
            user.set_password(generated)
            user.save()
            created.append(username)
        elif password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.label))
    return created, generated
