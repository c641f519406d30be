"""API token authentication that reads the user's role in the same query as the token."""

from django.db.models import Case, IntegerField, Max, Value, When
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .roles import ROLE_GROUPS, role_remember


class TokenAndRoleAuthentication(TokenAuthentication):
    """DRF's token authentication (same header, same errors), with the user's highest role
    group read in the token's own query and kept for the request (``roles.user_role``): every
    API call checks the role, which otherwise costs a second query on every request."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        ranks = [When(user__groups__name=name, then=Value(int(role))) for role, name in ROLE_GROUPS.items()]
        try:
            token = (
                model.objects.select_related("user")
                .annotate(role_rank=Max(Case(*ranks, default=None, output_field=IntegerField())))
                .get(key=key)
            )
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        role_remember(token.user, token.role_rank)
        return (token.user, token)
