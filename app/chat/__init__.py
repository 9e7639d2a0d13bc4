"""Real-time chat: the rules (service), presence, and the Socket.IO events."""
