"""Threat items, which the TRM reviews: their list and the form that raises or changes one."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from django_filters.views import FilterView

from .. import services
from ..filters import ThreatItemFilterSet
from ..forms_trm import ThreatItemForm
from ..models import ThreatItem
from .base import ScreenMixin, ServiceFormMixin


class ThreatItemListView(ScreenMixin, FilterView):
    template_name = "tasking/threat_list.html"
    filterset_class = ThreatItemFilterSet
    context_object_name = "items"
    paginate_by = 50

    def get_queryset(self):
        return ThreatItem.objects.select_related("area", "raised_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab"] = "threats"
        return context


class ThreatItemFormView(ServiceFormMixin, FormView):
    """Raise a threat item or change it; the service audits what changed."""

    template_name = "tasking/threat_form.html"
    form_class = ThreatItemForm

    @cached_property
    def item(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(ThreatItem, pk=pk) if pk else None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.item is not None:
            # The form works on its own copy: the service compares the stored item with the input.
            kwargs["instance"] = ThreatItem.objects.get(pk=self.item.pk)
        return kwargs

    def perform(self, form):
        return services.threat_item_save(actor=self.request.user, item=self.item, **form.cleaned_data)

    def success_message_for(self, item):
        return f"Threat item “{item.title}” saved."

    def success_url_for(self, item):
        return reverse("tasking:threat-list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["item"] = self.item
        context["tab"] = "threats"
        return context
