"""Every model of the assessments app, imported here so Django finds them (one app, one migration history).

The classes live in their parts: ``assessments.policy.models``, ``assessments.eligibility.models``,
``assessments.workflows.models`` and ``assessments.plans.models``; code imports them from there.
"""
from assessments.eligibility.models import *  # noqa: F403
from assessments.plans.models import *  # noqa: F403
from assessments.policy.models import *  # noqa: F403
from assessments.workflows.models import *  # noqa: F403
