"""The project's URLs plus ``POST /bench/bare-outcomes/``, the bare DRF create endpoint the
create-outcome API is compared with. Mounted only by the benchmark (performance.bench.settings)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from config.urls import urlpatterns as project_urls

from .bare import BareOutcomeViewSet

router = SimpleRouter()
router.register("bare-outcomes", BareOutcomeViewSet, basename="bench-bare-outcome")

urlpatterns = [*project_urls, path("bench/", include(router.urls))]
