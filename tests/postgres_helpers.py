"""A second connection to the test database, outside Django's: what another process sees."""

import psycopg
from django.db import connection


def other_connection(*, autocommit=False):
    params = connection.get_connection_params()
    return psycopg.connect(
        dbname=params["dbname"], user=params.get("user"), password=params.get("password"),
        host=params.get("host"), port=params.get("port"), autocommit=autocommit,
    )  # fmt: skip
