from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("requests", views.RequestViewSet)
router.register("missions", views.MissionViewSet)
router.register("trm-meetings", views.TrmMeetingViewSet)
router.register("threat-items", views.ThreatItemViewSet)
router.register("operation-targets", views.OperationTargetViewSet)
