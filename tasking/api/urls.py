from rest_framework.routers import SimpleRouter

from . import patrol_views, views

router = SimpleRouter()
router.register("requests", views.RequestViewSet)
router.register("missions", views.MissionViewSet)
router.register("trm-meetings", views.TrmMeetingViewSet)
router.register("threat-items", views.ThreatItemViewSet)
router.register("operation-targets", views.OperationTargetViewSet)
router.register("hot-grids", patrol_views.HotGridViewSet)
router.register("patrols", patrol_views.ScheduledPatrolViewSet)
router.register("patrol-visits", patrol_views.PatrolVisitViewSet)
