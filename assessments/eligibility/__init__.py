"""The eligibility engine: whether a household, a village or a county meets the exit standard of a year,
under the policy parameters in force (recomputed per county, explained criterion by criterion).

Imports the policy part only.
"""
