"""Socket.IO: the protocol's events, rooms, what is emitted, and the work the
server does by itself. Handlers call the services and emit what changed."""
