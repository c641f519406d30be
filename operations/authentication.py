"""API token authentication that reads the user's role in the same query as the token."""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, IntegerField, Max, Value, When
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .prepared import fetch_prepared
from .roles import ROLE_GROUPS, role_remember


class TokenAndRoleAuthentication(TokenAuthentication):
    """DRF's token authentication (same header, same errors), with the user's highest role
    group read in the token's own query and kept for the request (``roles.user_role``): every
    API call checks the role, which otherwise costs a second query on every request.

    On PostgreSQL the query is a fixed statement prepared once per connection
    (``operations.prepared``): every API call runs it, and building it through the ORM cost
    more than the outcome write it lets in."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        prepared = connection.vendor == "postgresql"
        token = _token_prepared(model, key) if prepared else _token_orm(model, key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        role_remember(token.user, token.role_rank)
        return (token.user, token)


def _token_orm(model, key):
    ranks = [When(user__groups__name=name, then=Value(int(role))) for role, name in ROLE_GROUPS.items()]
    try:
        return (
            model.objects.select_related("user")
            .annotate(role_rank=Max(Case(*ranks, default=None, output_field=IntegerField())))
            .get(key=key)
        )
    except model.DoesNotExist:
        return None


@cache
def _statement(model):
    """The token with its user's columns and the rank of the user's highest role group."""
    user_model = get_user_model()
    q = connection.ops.quote_name
    user_pk, token_user = q(user_model._meta.pk.column), q(model._meta.get_field("user").column)
    groups = user_model._meta.get_field("groups")
    through = groups.remote_field.through._meta
    token_columns = [f.column for f in model._meta.concrete_fields]
    user_columns = [f.column for f in user_model._meta.concrete_fields]
    return f"""
SELECT {", ".join(f"t.{q(c)}" for c in token_columns)}, {", ".join(f"u.{q(c)}" for c in user_columns)},
       (SELECT max(r.rank)
          FROM {q(through.db_table)} ug
          JOIN {q(groups.related_model._meta.db_table)} g ON g.id = ug.{q(through.get_field("group").column)}
          JOIN unnest(%(names)s::text[], %(ranks)s::integer[]) AS r(name, rank) ON r.name = g.name
         WHERE ug.{q(through.get_field("user").column)} = u.{user_pk})
FROM {q(model._meta.db_table)} t
JOIN {q(user_model._meta.db_table)} u ON u.{user_pk} = t.{token_user}
WHERE t.{q(model._meta.pk.column)} = %(key)s
"""  # noqa: S608 — built once from the models' own tables and columns; the key is a parameter


def _token_prepared(model, key):
    row = fetch_prepared(
        _statement(model),
        {"key": key, "names": list(ROLE_GROUPS.values()), "ranks": [int(role) for role in ROLE_GROUPS]},
        one=True,
    )
    if row is None:
        return None
    user_model = get_user_model()
    token_fields = [f.attname for f in model._meta.concrete_fields]
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    n = len(token_fields)
    token = model.from_db(connection.alias, token_fields, row[:n])
    token.user = user_model.from_db(connection.alias, user_fields, row[n : n + len(user_fields)])
    token.role_rank = row[-1]
    return token
