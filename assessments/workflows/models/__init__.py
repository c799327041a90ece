"""Models of the verification workflows: verifications with their events, approval chains, 公示 and
objections (``verifications``), 公告 (``announcements``) and the 比对 lists of identification (``comparison``)."""
from .announcements import *  # noqa: F403
from .comparison import *  # noqa: F403
from .verifications import *  # noqa: F403
