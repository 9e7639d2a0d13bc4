"""The agent every test and benchmark server has: one set of credentials."""

AGENT_EMAIL = "tess@example.com"
AGENT_NAME = "Tess"
AGENT_PASSWORD = "correct horse battery"
