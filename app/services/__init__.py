"""The chat's rules, one module each. No Flask request and no Socket.IO here:
the blueprints and the Socket.IO handlers call these and tell clients."""
