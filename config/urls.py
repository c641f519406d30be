"""URL configuration: pages, admin, and one API root that gathers every app's router."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from operations import views as operations_views
from operations.api.urls import router as operations_router
from operations.roles import Role, has_role
from operations.security import ObtainAuthToken
from performance.api.urls import router as performance_router
from performance.api.urls import urlpatterns as performance_api_urls
from tasking.api.urls import router as tasking_router

api_router = DefaultRouter()
for app_router in (operations_router, tasking_router, performance_router):
    api_router.registry.extend(app_router.registry)

admin.site.site_header = "Mission Support administration"
admin.site.site_title = "Mission Support admin"
# The admin site is for the Administrator role (superusers hold it too), not for "staff".
admin.site.has_permission = lambda request: has_role(request.user, Role.ADMINISTRATOR)

urlpatterns = [
    path("", operations_views.HomeView.as_view(), name="home"),
    path("", include("tasking.urls")),
    path("dashboards/", include("performance.urls")),
    path("health/", operations_views.health, name="health"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(performance_api_urls)),
    path("api/", include(api_router.urls)),
]
