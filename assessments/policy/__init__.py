"""Policy parameters (脱贫标准, thresholds, deadlines) by area and year, each with its citation.

Imports nothing from the other three parts of assessments: eligibility, workflows and plans read it.
"""
