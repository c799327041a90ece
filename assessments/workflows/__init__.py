"""The verification workflows: household exit, identification, 返贫, village and county exit, with their
公示, objections and 公告. One service per transition.

May import the eligibility and policy parts; they never import this one.
"""
