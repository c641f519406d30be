"""What the date and limit tests share: a signed-in page client, an authenticated API client, a
check on a page's text, and the words of the app's date-range refusal."""

from django.test import Client
from rest_framework.test import APIClient

OUTSIDE = "is outside the dates this app covers"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def page_says(response, *texts):
    html = response.content.decode()
    return all(text in html for text in texts)
