"""The Socket.IO packets the server reads: event names a client may not use.

python-socketio dispatches an event by its name. A client's event named
``*`` matches the catch-all handler as if it were that event's own handler,
and Flask-SocketIO then misreads its arguments: it went unanswered. Such an
event is renamed before dispatch to a name no handler has, so that the
catch-all answers it ``invalid``.
"""

from socketio import packet

RESERVED_NAMES = {"*"}
RENAMED = "reserved event name"


class Packet(packet.Packet):
    def decode(self, encoded_packet):
        attachments = super().decode(encoded_packet)
        if (
            self.packet_type in (packet.EVENT, packet.BINARY_EVENT)
            and isinstance(self.data, list)
            and self.data
            and isinstance(self.data[0], str)
            and self.data[0] in RESERVED_NAMES
        ):
            self.data = [RENAMED, *self.data[1:]]
        return attachments
