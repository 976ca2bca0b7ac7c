"""Activities: every side effect of a sale (records, mail, work orders), dependencies injected."""
