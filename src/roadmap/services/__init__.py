"""Use cases: check the role, load rows, call the domain, write in one transaction, audit."""
