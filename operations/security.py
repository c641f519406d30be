"""Security plumbing: the login lockout's answers and client address, and the personal-data view audit.

Viewing a subject's personal data is processing under the Data Protection Act 2018 (Part 3, s.62
logging): who looked at which record, when, and from where, is written to the append-only audit
trail like any change is.
"""

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.authtoken import views as authtoken_views
from rest_framework.response import Response

from .audit import audit_record
from .models import AuditEntry


def client_ip_address(request):
    """The address a login attempt came from, as django-axes counts it.

    ``REMOTE_ADDR``, unless the app runs behind ``TRUSTED_PROXY_COUNT`` proxies that each append to
    ``X-Forwarded-For``: then the entry the outermost trusted proxy added. Entries further left are
    written by the client and could be forged, so they are never used.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def lockout_message():
    minutes = int(get_cool_off().total_seconds() // 60)
    return (
        "Too many failed sign-in attempts for this account from your network address. "
        f"Sign-in is blocked here for {minutes} minutes after the last attempt; "
        "an Administrator can lift the block sooner."
    )


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets: 429 with Retry-After; JSON for the API, a page otherwise."""
    seconds = int(get_cool_off().total_seconds())
    message = lockout_message()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after_seconds": seconds}, status=429)
    else:
        context = {"message": message, "cooloff_minutes": seconds // 60}
        response = render(request, "registration/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class ObtainAuthToken(authtoken_views.ObtainAuthToken):
    """DRF's token endpoint, handing django-axes the Django request.

    DRF wraps the request; axes marks a lockout on the object it is given, and its middleware looks
    for that mark on Django's request. Given the wrapper, a locked-out user would get a plain
    "unable to log in" 400 instead of the lockout answer.
    """

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request._request}


def audit_personal_data_view(request, obj, reason="", **detail):
    """Record that ``request.user`` was shown ``obj``'s personal data (one record's page or API)."""
    return audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        obj=obj,
        changes={"path": request.get_full_path()[:500], **detail},
        reason=reason,
    )


def audit_personal_data_list(request, model, ids, reason=""):
    """Record one entry for a list that showed personal data: which records, on which page."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return None
    actor = request.user if request.user.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=AuditEntry.Action.VIEW,
        object_type=model._meta.label_lower,
        object_id="list",
        object_repr=f"{len(ids)} {model._meta.verbose_name_plural}",
        changes={"ids": ids, "path": request.get_full_path()[:500]},
        reason=reason,
    )


class PersonalDataAuditMixin:
    """For API viewsets whose rows carry subject data: each list page and each retrieve is recorded,
    and so is an action's answer that carries the record back (``personal_data_response``)."""

    def personal_data_response(self, instance, status=200):
        """``instance`` serialized as the answer, its view recorded."""
        audit_personal_data_view(self.request, instance)
        return Response(self.get_serializer(instance).data, status=status)

    def retrieve(self, request, *args, **kwargs):
        return self.personal_data_response(self.get_object())

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        audit_personal_data_list(request, self.get_queryset().model, [row["id"] for row in rows])
        return response


class PersonalDataAdminAuditMixin:
    """For admins whose change list or change page shows subject data: the list records one entry
    naming the records shown, a change page one entry for its record, as the app's pages do.

    ``personal_data_path`` leads from the admin's row to the record whose subject is shown
    (``"request"``, ``"mission__request"``; empty: the row itself), so a mission's page is recorded
    as a view of its request's subject, as the mission page records it.
    """

    personal_data_path = ""

    def _personal_data_parts(self):
        return self.personal_data_path.split("__") if self.personal_data_path else []

    def personal_data_model(self):
        model = self.model
        for name in self._personal_data_parts():
            model = model._meta.get_field(name).related_model
        return model

    def personal_data_record(self, obj):
        for name in self._personal_data_parts():
            obj = getattr(obj, name)
        return obj

    def personal_data_id(self, obj):
        """The subject record's id without loading it: the last step reads the foreign key."""
        *through, last = self._personal_data_parts() or [None]
        for name in through:
            obj = getattr(obj, name)
        return obj.pk if last is None else getattr(obj, f"{last}_id")

    def personal_data_detail(self, obj):
        """What else a change page's entry names (the mission page names its mission, say)."""
        return {}

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and response.status_code == 200:
            ids = [self.personal_data_id(obj) for obj in changelist.result_list]
            audit_personal_data_list(request, self.personal_data_model(), list(dict.fromkeys(ids)))
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if obj is not None and response.status_code == 200:
            audit_personal_data_view(
                request, self.personal_data_record(obj), **self.personal_data_detail(obj)
            )
        return response
