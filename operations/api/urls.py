from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("areas", views.AreaViewSet)
router.register("operations", views.OperationViewSet)
router.register("tactical-priorities", views.TacticalPriorityViewSet)
router.register("offence-groups", views.OffenceGroupViewSet)
router.register("resources", views.ResourceViewSet)
