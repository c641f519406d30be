"""The pages every user meets first: sign in, home, navigation, sign out and the health check."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = {
    "viewer": "Viewer",
    "mission_user": "Mission Support",
    "supervisor": "Supervisor",
    "administrator": "Administrator",
}


def signed_in(client, user):
    client.force_login(user)
    return client


def links(html):
    return re.findall(r'href="([^"]*)"', html)


def test_login_page_has_labelled_username_and_password_fields_and_a_csrf_token(client):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert re.search(r'<input type="text" name="username" id="id_username"', html)
    assert re.search(r'<input type="password" name="password" id="id_password"', html)
    assert 'name="csrfmiddlewaretoken"' in html


def test_logging_in_with_the_right_password_redirects_to_home(client, viewer):
    response = client.post("/login/", {"username": "viewer", "password": "pw-viewer"})

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(client, viewer):
    response = client.post("/login/", {"username": "viewer", "password": "wrong"})

    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/").status_code == 302


def test_anonymous_home_redirects_to_login_with_next(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/"


@pytest.mark.parametrize(("user_fixture", "role_label"), ROLE_FIXTURES.items())
def test_home_shows_the_users_role(client, request, user_fixture, role_label):
    user = request.getfixturevalue(user_fixture)

    response = signed_in(client, user).get("/", follow=True)

    assert response.status_code == 200
    # Supervisors land on the force scorecard, which names their role in the header.
    assert f'<span class="role-badge">{role_label}</span>' in response.content.decode()


def test_a_supervisor_lands_on_the_force_scorecard(client, supervisor):
    response = signed_in(client, supervisor).get("/")

    assert response.status_code == 302
    assert response.url == "/dashboards/"


def test_navigation_shows_admin_to_administrators(client, administrator):
    html = signed_in(client, administrator).get("/").content.decode()

    assert re.search(r'<a href="/admin/"[^>]*>Admin</a>', html)


@pytest.mark.parametrize("user_fixture", ["viewer", "mission_user", "supervisor"])
def test_navigation_hides_admin_from_everyone_else(client, request, user_fixture):
    user = request.getfixturevalue(user_fixture)

    html = signed_in(client, user).get("/").content.decode()

    assert 'href="/admin/' not in html
    assert ">Admin<" not in html


@pytest.mark.parametrize("user_fixture", [*ROLE_FIXTURES, None])
def test_no_link_on_home_or_login_points_to_a_missing_url(client, request, user_fixture):
    if user_fixture:
        signed_in(client, request.getfixturevalue(user_fixture))
    page = "/" if user_fixture else "/login/"
    html = client.get(page, follow=True).content.decode()

    targets = [href for href in links(html) if not href.startswith("#")]
    assert targets, "the page should link somewhere"
    for href in targets:
        path = href.split("?")[0]
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), href
            continue
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{page} links to {href}, which does not exist")
        if user_fixture:
            assert client.get(href).status_code in (200, 302), href


def test_logout_is_a_post_form_that_signs_the_user_out(client, viewer):
    signed_in(client, viewer)
    html = client.get("/").content.decode()

    form = re.search(r'<form method="post" action="/logout/">(.*?)</form>', html, re.S)
    assert form, "the sign-out control should be a POST form"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response.url == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("page", ["/", "/login/"])
def test_pages_reference_no_external_url(client, administrator, page):
    if page == "/":
        signed_in(client, administrator)
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html
    protocol_relative = [url for url in re.findall(r'(?:href|src)="([^"]*)"', html) if url.startswith("//")]
    assert protocol_relative == []


def test_health_check_says_ok(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_form_refuses_a_post_without_a_csrf_token(viewer):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "viewer", "password": "pw-viewer"})

    assert response.status_code == 403
    assert client.get("/").status_code == 302


def test_login_form_accepts_a_post_with_the_csrf_token_from_the_page(viewer):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        "/login/", {"username": "viewer", "password": "pw-viewer", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert response.url == "/"


def test_a_page_the_role_may_not_use_answers_with_the_sites_own_not_allowed_page(client, viewer):
    client.force_login(viewer)
    response = client.post("/requests/new/", {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page
    assert "You are signed in as viewer (Viewer). Nothing has been changed." in page
    assert "Sign out" in page  # the site's own layout, with its navigation
