"""Staff log-in: who the hotline staff are, their passwords and their console session.

Every staff-only route (handoff desk, console, marriage and eldercare staff lists, Telegram
relay failures) depends on `backoffice.staff.access.require_staff` or `require_supervisor`.
"""
