"""The Socket.IO packets the server reads: events it cannot read or dispatch.

Both would otherwise go unanswered, with a traceback in the log, and become
events that the catch-all handler answers ``invalid`` under their ack id:

- an event whose JSON the standard library will not read (not JSON, or an
  integer of more than 4,300 digits) becomes ``UNDECODABLE``;
- python-socketio dispatches an event by its name, and a client's event
  named ``*`` matches the catch-all handler as if it were its own handler,
  whose arguments Flask-SocketIO then misreads: it is renamed ``RENAMED``.
"""

from socketio import packet

from app.realtime.jsonpackets import UNDECODABLE

RESERVED_NAMES = {"*"}
RENAMED = "reserved event name"


class Packet(packet.Packet):
    # The protocol's payloads are JSON, never bytes: a packet need not be
    # searched for binary parts, which python-socketio would do for every
    # emit and acknowledgement, item by item.
    uses_binary_events = False

    def decode(self, encoded_packet):
        try:
            attachments = super().decode(encoded_packet)
        except ValueError:
            if self.packet_type != packet.EVENT:
                raise
            self.data = [UNDECODABLE]
            return 0
        if (
            self.packet_type in (packet.EVENT, packet.BINARY_EVENT)
            and isinstance(self.data, list)
            and self.data
            and isinstance(self.data[0], str)
            and self.data[0] in RESERVED_NAMES
        ):
            self.data = [RENAMED, *self.data[1:]]
        return attachments
