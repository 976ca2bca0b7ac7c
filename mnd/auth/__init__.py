"""Sign-in: staff members, their roles and personal API tokens; the client's approval links."""
