"""Shared fixtures: one user per role, API clients, and the real-service guards."""

import os

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from operations.roles import Role

SERVICE_MARKERS = ("postgres", "redis", "celery")


def pytest_configure(config):
    from django.conf import settings

    # Fast hashing: the suite logs users in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_runtest_setup(item):
    """A real-service test without its service is skipped with a reason, or fails under CI."""
    from django.conf import settings

    needs = [name for name in SERVICE_MARKERS if item.get_closest_marker(name)]
    if not needs:
        return
    problem = None
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        problem = "needs PostgreSQL: run `make test`, which sets DATABASE_URL"
    elif any(name in needs for name in ("redis", "celery")) and not os.environ.get("TEST_REDIS_URL"):
        problem = "needs Redis: run `make test`, which sets TEST_REDIS_URL"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(autouse=True)
def _no_queued_flag_left_over():
    """The 'a drain, dispatch or reconcile is queued' flags live in the cache for a few
    seconds: a test that stops a task from running (a mocked task) must not hold back the next
    test's."""
    from django.core.cache import cache

    from operations.events import DISPATCH_QUEUED
    from performance.dirty import DRAIN_QUEUED
    from performance.reconcile import RECONCILE_QUEUED

    cache.delete_many([DRAIN_QUEUED, DISPATCH_QUEUED, RECONCILE_QUEUED])


def make_user(django_user_model, username, role):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.label))
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def viewer(django_user_model):
    return make_user(django_user_model, "viewer", Role.VIEWER)


@pytest.fixture
def mission_user(django_user_model):
    return make_user(django_user_model, "mission", Role.MISSION_SUPPORT)


@pytest.fixture
def supervisor(django_user_model):
    return make_user(django_user_model, "supervisor", Role.SUPERVISOR)


@pytest.fixture
def administrator(django_user_model):
    return make_user(django_user_model, "admin", Role.ADMINISTRATOR)


@pytest.fixture
def no_role_user(django_user_model):
    return make_user(django_user_model, "norole", None)


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user=user)
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def reference_data(db):
    from operations.reference import reference_data_load

    reference_data_load()
