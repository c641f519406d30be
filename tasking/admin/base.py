"""Shared admin rules: Administrators only, read-only models, search by reference, audited forms."""

import re

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError

from operations.dates import FIRST_DAY, LAST_DAY
from operations.roles import Role, has_role


def error_text(exc):
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return exc.message


class AdministratorOnly:
    """Checked by role, like the rest of the project (the site itself admits Administrators only).
    Django's model permissions are not relied on: the Administrator group is granted them after
    migrate, which can run before the permissions of apps after ``operations`` exist."""

    def _allowed(self, request):
        return has_role(request.user, Role.ADMINISTRATOR)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_changelist_instance(self, request):
        # The date hierarchy reaches the year after the one asked for unchecked, and past 9999 that
        # is an error; a year outside the app's dates is a wrong filter, which the admin says of any.
        if self.date_hierarchy:
            year = request.GET.get(f"{self.date_hierarchy}__year", "")
            if year and not (year.isdigit() and FIRST_DAY.year <= int(year) <= LAST_DAY.year):
                raise IncorrectLookupParameters(f"{year} is outside the years this app covers.")
        return super().get_changelist_instance(request)


class ReadOnlyMixin(AdministratorOnly):
    """Viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReferenceSearchMixin:
    """Typing a reference shown on screen ("REQ-000123", "M-000045") finds that row."""

    reference_prefixes = ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        for prefix, lookup in self.reference_prefixes:
            number = term.removeprefix(prefix)
            if term.startswith(prefix) and number.isdigit():
                # A reference is ASCII digits ("²" is a digit to isdigit) that an id column can hold
                # (18 fit in 64 bits); any other is no row's, so nothing matches it.
                known = re.fullmatch(r"[0-9]{1,18}", number)
                return (queryset.filter(**{lookup: int(number)}) if known else queryset.none()), False
        return super().get_search_results(request, queryset, search_term)


class AuditedFormAdmin(AdministratorOnly, admin.ModelAdmin):
    """Add and change forms saved by a ``*_save(actor=, <instance_arg>=, **data)`` service."""

    save_service = None
    instance_arg = ""

    def save_model(self, request, obj, form, change):
        names = form.changed_data if change else [n for n in form.fields if n in form.cleaned_data]
        data = {name: form.cleaned_data[name] for name in names}
        # The form has already copied its data onto ``obj``: pass the stored row so the service
        # sees (and audits) what actually changed.
        stored = type(obj).objects.get(pk=obj.pk) if change else None
        saved = self.save_service(actor=request.user, **{self.instance_arg: stored}, **data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # no delete service: close the row (status) instead, which is audited
