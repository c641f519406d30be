"""API tokens: the user and their role are read in one query, with DRF's own answers to a bad
token, and the role they carry is the one the user's groups give."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from operations.authentication import TokenAndRoleAuthentication
from operations.roles import Role, has_role, user_role

pytestmark = pytest.mark.django_db


def authenticated(user):
    return TokenAndRoleAuthentication().authenticate_credentials(Token.objects.create(user=user).key)


@pytest.mark.parametrize(
    ("fixture", "role"),
    [
        ("viewer", Role.VIEWER),
        ("mission_user", Role.MISSION_SUPPORT),
        ("supervisor", Role.SUPERVISOR),
        ("administrator", Role.ADMINISTRATOR),
        ("no_role_user", None),
    ],
)
def test_the_token_brings_the_users_role_in_the_same_query(request, fixture, role, django_assert_num_queries):
    user = request.getfixturevalue(fixture)
    key = Token.objects.create(user=user).key
    with django_assert_num_queries(1):
        found, token = TokenAndRoleAuthentication().authenticate_credentials(key)
        assert user_role(found) == role
        assert has_role(found, Role.VIEWER) is (role is not None)
    assert (found, token.key) == (user, key)


def test_the_highest_of_several_groups_counts_and_a_superuser_is_an_administrator(viewer, django_user_model):
    viewer.groups.add(Group.objects.get(name=Role.SUPERVISOR.label))
    assert user_role(authenticated(viewer)[0]) == Role.SUPERVISOR
    root = django_user_model.objects.create_superuser("root", password="pw-root-long-enough")
    assert user_role(authenticated(root)[0]) == Role.ADMINISTRATOR


def test_an_unknown_token_and_an_inactive_user_are_refused(viewer):
    with pytest.raises(AuthenticationFailed, match=r"^Invalid token\.$"):
        TokenAndRoleAuthentication().authenticate_credentials("0" * 40)
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])
    with pytest.raises(AuthenticationFailed, match=r"^User inactive or deleted\.$"):
        authenticated(viewer)


def test_over_the_api_the_tokens_role_decides(client, viewer, administrator, reference_data):
    def post_area(user):
        token = Token.objects.create(user=user).key
        return client.post(
            "/api/areas/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
        )

    assert post_area(viewer).status_code == 403
    assert post_area(administrator).status_code == 400  # allowed in; the empty area is refused
    assert client.get("/api/areas/", HTTP_AUTHORIZATION="Token nope").status_code == 401


def test_the_user_and_token_come_back_as_stored(mission_user, django_user_model):
    mission_user.first_name, mission_user.email = "Ada", "ada@example.org"
    mission_user.save()
    stored_token = Token.objects.create(user=mission_user)
    found, token = TokenAndRoleAuthentication().authenticate_credentials(stored_token.key)
    stored = django_user_model.objects.get(pk=mission_user.pk)
    for field in django_user_model._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
    assert (token.key, token.user_id) == (stored_token.key, mission_user.pk)
    assert token.created == stored_token.created
    assert token.user is found and not found._state.adding
