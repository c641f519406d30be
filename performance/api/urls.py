from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("indicators", views.IndicatorViewSet)
router.register("indicator-values", views.IndicatorValueViewSet)

urlpatterns = [path("benchmarks/", views.BenchmarkView.as_view(), name="api-benchmarks")]
