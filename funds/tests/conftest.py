"""The fund tests spend on a project whose 项目安排 公示 is published: ``approved_project`` of the project
fixtures, one step further."""
import pytest

from projects.tests.factories import publicize_plan


@pytest.fixture
def approved_project(approved_project, township_officer):
    """Approved on 20 Feb 2024 and its 项目安排 公示 published on 21 Feb 2024 (needed before any 报账, P-FD-08)."""
    publicize_plan(approved_project, actor=township_officer)
    return approved_project
