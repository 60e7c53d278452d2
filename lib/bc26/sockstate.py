# AT+QISTATE, loaded on first use (Modem.socket_state, Sockets.state): what the module says
# of its sockets. start() asks AT+QISTATE? itself, to take over the sockets a module kept
# while the MCU was reset or asleep (bringup.start), and loads this module only to read
# the records when there are any.

from .checks import check_range
from .fields import Fields

STATE_NAMES = ("Initial", "Connecting", "Connected", "Closing", "Remote Closing")


class SocketInfo:
    """One +QISTATE record."""

    def __init__(self, id, service, address, remote_port, local_port, state, context, access_mode):
        self.id = id
        self.service = service
        self.address = address
        self.remote_port = remote_port
        self.local_port = local_port
        self.state = state
        self.context = context
        self.access_mode = access_mode

    @property
    def state_name(self):
        return STATE_NAMES[self.state] if 0 <= self.state < 5 else "unknown"

    def __repr__(self):
        return "<SocketInfo %d %s %s:%d local %d %s mode %d>" % (
            self.id,
            self.service,
            self.address,
            self.remote_port,
            self.local_port,
            self.state_name,
            self.access_mode,
        )


def state(net, connect_id=None, context=None):
    """AT+QISTATE in its three forms: a list of SocketInfo (empty: no sockets)."""
    if connect_id is not None:
        check_range(connect_id, 0, 4, "connectID")
        parts = ("AT+QISTATE=1,", connect_id)
    elif context is not None:
        check_range(context, 1, 3, "contextID")
        parts = ("AT+QISTATE=0,", context)
    else:
        parts = ("AT+QISTATE?",)
    return infos(net.modem.command(*parts, expect=(b"+QISTATE:",), tcpip=True))


def infos(lines):
    # The +QISTATE: records as SocketInfo.
    out = []
    for line in lines:
        f = Fields(line)
        f.start(9, len(line))
        cid = f.int(-1)
        f.str()
        service = f.text()
        f.str()
        address = f.text()
        out.append(SocketInfo(cid, service, address, f.int(0), f.int(0), f.int(0), f.int(1), f.int(0)))
    return out


def socket_state(modem, connect_id=None, context=None):
    """AT+QISTATE (all, one connectID, or one context): a list of SocketInfo."""
    return state(modem.sockets, connect_id, context)
