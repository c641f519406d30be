"""Login lockout (django-axes): 5 failures for one username from one address lock that pair out."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from operations.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HERE, ELSEWHERE = "10.1.1.1", "10.2.2.2"


@pytest.fixture
def officer(django_user_model):
    return make_user(django_user_model, "officer", Role.MISSION_SUPPORT)


@pytest.fixture
def colleague(django_user_model):
    return make_user(django_user_model, "colleague", Role.VIEWER)


def sign_in(username, password, address=HERE, client=None):
    client = client or Client()
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def get_token(username, password, address=HERE):
    return Client().post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_five_times(username="officer", address=HERE):
    for _ in range(5):
        sign_in(username, "wrong-password", address)


def signed_in(response):
    return response.status_code == 302 and response["Location"] == "/"


def test_the_lockout_is_five_failures_per_username_and_address_for_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_four_failures_do_not_lock_and_the_right_password_still_works(officer):
    for _ in range(4):
        response = sign_in("officer", "wrong-password")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    assert signed_in(sign_in("officer", "pw-officer"))


def test_after_five_failures_the_right_password_is_refused_with_a_clear_message(officer):
    fail_five_times()

    response = sign_in("officer", "pw-officer")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "30 minutes" in page
    assert response["Retry-After"] == "1800"
    assert "_auth_user_id" not in Client().session


def test_the_fifth_failure_itself_answers_with_the_lockout_page(officer):
    for _ in range(4):
        sign_in("officer", "wrong-password")
    assert sign_in("officer", "wrong-password").status_code == 429


def test_the_same_user_from_another_address_can_still_sign_in(officer):
    fail_five_times(address=HERE)
    assert signed_in(sign_in("officer", "pw-officer", address=ELSEWHERE))


def test_another_user_at_the_same_address_can_still_sign_in(officer, colleague):
    fail_five_times(address=HERE)
    assert signed_in(sign_in("colleague", "pw-colleague", address=HERE))


def test_after_the_cool_off_the_user_can_sign_in_again(officer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_five_times()
        clock.shift(timedelta(minutes=29))
        assert sign_in("officer", "pw-officer").status_code == 429
        # That attempt restarted the cool-off: a locked-out user who keeps trying stays locked out.
        clock.shift(timedelta(minutes=31))
        assert signed_in(sign_in("officer", "pw-officer"))


def test_a_success_clears_the_count_of_failures(officer):
    for _ in range(4):
        sign_in("officer", "wrong-password")
    assert signed_in(sign_in("officer", "pw-officer"))
    for _ in range(4):
        sign_in("officer", "wrong-password")
    assert signed_in(sign_in("officer", "pw-officer"))


def test_the_token_endpoint_counts_failures_and_is_locked_too(officer):
    for _ in range(4):
        response = get_token("officer", "wrong-password")
        assert response.status_code == 400
    assert get_token("officer", "wrong-password").status_code == 429

    response = get_token("officer", "pw-officer")

    assert response.status_code == 429
    body = response.json()
    assert "Too many failed sign-in attempts" in body["detail"]
    assert body["retry_after_seconds"] == 1800
    assert "token" not in body
    assert get_token("officer", "pw-officer", address=ELSEWHERE).status_code == 200


def test_failures_on_the_login_page_lock_the_token_endpoint_for_that_address(officer):
    fail_five_times()
    assert get_token("officer", "pw-officer").status_code == 429


def test_the_admin_login_is_protected_by_the_same_lockout(administrator):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "nope"}, REMOTE_ADDR=HERE)
    response = client.post("/admin/login/", {"username": "admin", "password": "pw-admin"}, REMOTE_ADDR=HERE)
    assert response.status_code == 429


def test_behind_trusted_proxies_the_clients_address_is_the_one_counted(settings, officer):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.9.9.9"
    for _ in range(5):
        Client().post(
            "/login/", {"username": "officer", "password": "x"},
            REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HERE}",
        )  # fmt: skip
    # Another client behind the same proxy is not locked out by them...
    ok = Client().post(
        "/login/", {"username": "officer", "password": "pw-officer"},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE,
    )  # fmt: skip
    assert signed_in(ok)
    # ...and the forged left-most entry does not let the locked-out client escape.
    locked = Client().post(
        "/login/", {"username": "officer", "password": "pw-officer"},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"5.6.7.8, {HERE}",
    )  # fmt: skip
    assert locked.status_code == 429
