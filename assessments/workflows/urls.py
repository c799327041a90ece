"""/exits/: inbox, verifications, their transitions, and the pages that start a workflow."""

from django.urls import path

from assessments.workflows.models import WorkflowType
from assessments.workflows.views import actions, announcements, chains, pages, starts


def area_exit_paths(prefix, name, workflow_type):
    """The list of poor areas and the apply action of one area exit (贫困村退出, 贫困县摘帽)."""
    return [
        path(f"{prefix}/", starts.AreaExitListView.as_view(workflow_type=workflow_type), name=f"{name}_list"),
        path(
            f"{prefix}/<str:code>/apply/",
            starts.AreaExitApplyView.as_view(workflow_type=workflow_type),
            name=f"{name}_apply",
        ),
    ]


app_name = "workflow"
urlpatterns = [
    path("", pages.VerificationListView.as_view(), name="list"),
    path("inbox/", pages.InboxView.as_view(), name="inbox"),
    path("announcements/", announcements.AnnouncementListView.as_view(), name="announcement_list"),
    path("announcements/batch/", announcements.AnnouncementBatchView.as_view(), name="announcement_batch"),
    path("announcements/<int:pk>/", announcements.AnnouncementDetailView.as_view(), name="announcement_detail"),
    path("announcements/<int:pk>/pdf/", announcements.AnnouncementPdfView.as_view(), name="announcement_pdf"),
    path("chains/", chains.ApprovalChainListView.as_view(), name="chain_list"),
    path("chains/<str:code>/<str:workflow_type>/", chains.ApprovalChainEditView.as_view(), name="chain_edit"),
    path(
        "chains/<str:code>/<str:workflow_type>/default/",
        chains.ApprovalChainResetView.as_view(),
        name="chain_reset",
    ),
    path("<int:pk>/", pages.VerificationDetailView.as_view(), name="detail"),
    path("<int:pk>/act/", actions.TransitionView.as_view(), name="act"),
    path("<int:pk>/objections/", actions.ObjectionLodgeView.as_view(), name="objection_lodge"),
    path("objections/<int:pk>/resolve/", actions.ObjectionResolveView.as_view(), name="objection_resolve"),
    path("matches/<int:pk>/explain/", actions.MatchExplainView.as_view(), name="match_explain"),
    path("households/<int:pk>/nominate/", starts.NominateView.as_view(), name="nominate"),
    path("households/<int:pk>/return/", starts.ReturnProposeView.as_view(), name="return_propose"),
    path("households/<int:pk>/monitoring/", starts.MonitoringView.as_view(), name="monitoring"),
    path("identification/new/", starts.IdentificationCreateView.as_view(), name="identification_create"),
    *area_exit_paths("villages", "village", WorkflowType.VILLAGE_EXIT),
    *area_exit_paths("counties", "county", WorkflowType.COUNTY_EXIT),
]
