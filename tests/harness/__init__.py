"""What tests and benchmarks use around the chat server.

- ``server``: the server as a real process (``python wsgi.py`` on a free port).
- ``services``: PostgreSQL and Redis on loopback ports.
- ``api``: the HTTP API as an agent and as new visitors.
- ``clients``: Socket.IO clients that record what arrives.
- ``reliable_client``: the reference client (outbox, catch-up, receipts).
- ``pool``: the clients a test opened, closed together.
- ``logs``: the pytest plugin that shows a server's log when a test fails.
- ``credentials``, ``ports``: the agent's login; free ports.
"""
