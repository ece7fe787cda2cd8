"""Roles and assurance levels, shared by every domain's authorisation checks."""
CITIZEN = "citizen"
OFFICER = "officer"        # one-stop-shop or processing officer, scoped to agency + commune
APPROVER = "approver"      # agency leader who approves or rejects dossiers
ASSISTANT = "assistant"    # community digital-tech team member
LEADER = "leader"          # province leader (operations-centre figures)
DISPATCHER = "dispatcher"  # operations-centre triage of citizen reports: route, merge, refuse
ADMIN = "admin"

STAFF_ROLES = (OFFICER, APPROVER, ASSISTANT, LEADER, ADMIN, DISPATCHER)
ROLES = (CITIZEN, *STAFF_ROLES)

LEVEL_1 = 1
LEVEL_2 = 2
