"""Annual exit plans (年度减贫计划) by area, with their bases, versions and plan-versus-actual figures.

Imports none of the other parts of assessments.
"""
