"""Poverty standards and eligibility, exit verifications, exit plans (and later the rectification ledger
and quarterly reports). Each concept has its own module."""
from .announcements import *  # noqa: F403
from .comparison import *  # noqa: F403
from .eligibility import *  # noqa: F403
from .parameters import *  # noqa: F403
from .plans import *  # noqa: F403
from .workflows import *  # noqa: F403
