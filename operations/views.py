"""Pages that belong to no single domain: the home page and the health check."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from .permissions import RoleRequiredMixin
from .roles import Role, user_role


class HomeView(RoleRequiredMixin, TemplateView):
    """Where a signed-in user lands: what their role lets them do, with the way to each part."""

    template_name = "home.html"
    read_role = Role.VIEWER

    def get(self, request, *args, **kwargs):
        # A supervisor's morning starts at the force scorecard.
        if user_role(request.user) == Role.SUPERVISOR:
            return redirect("performance:scorecard")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role"] = user_role(self.request.user)
        return context


def health(request):
    """Liveness and database reachability, for load balancers and the run scripts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
