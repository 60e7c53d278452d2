"""General commands a driver needs at bring-up (BC26 AT manual, summarised in research/hardware.md)."""

from .atparse import NoAnswer
from .errors import INVALID_PARAM, CommandError
from .services_at import format_clock

_TAC, _CI, _ACT_NB = "1A2B", "0C3D4E5F", 9
_IMEI, _IMSI = "866971030000001", "460001234567890"


def _stat(m):
    return 1 if m.registered else 2  # 1 home network, 2 searching


def _cereg_fields(m):
    fields = "%d" % _stat(m)
    n = m.cereg_n
    if n >= 2 and m.registered:
        fields += ',"%s","%s",%d' % (_TAC, _CI, _ACT_NB)
        if n >= 4:
            # Active-Time (T3324) and Periodic-TAU (T3412) as the network granted them.
            fields += ',,,"%s","%s"' % (m.nv.psm[2], m.nv.psm[1])
    return fields


def cereg_urc(m):
    return "+CEREG: " + _cereg_fields(m)


def _one_param(cmd, lo, hi):
    p = cmd.params()
    if len(p) != 1:
        raise CommandError(INVALID_PARAM)
    return p.int(0, lo, hi)


def at(m, cmd):
    return []


def ate(m, cmd):
    value = cmd.args or "0"
    if value not in ("0", "1"):
        raise CommandError(INVALID_PARAM)
    m.echo = value == "1"
    return []


def ati(m, cmd):
    if cmd.args not in ("", "0"):
        raise CommandError(INVALID_PARAM)
    model = m.knobs.model
    revision = m.knobs.revision or ("BC26NBR01A01" if model == "BC26" else "BC20NAR01A01")
    return ["Quectel_Ltd", "Quectel_" + model, "Revision: " + revision]


def accept(m, cmd):
    return []


def cereg(m, cmd):
    if cmd.form == "test":
        return ["+CEREG: (0-5)"]
    if cmd.form == "read":
        return ["+CEREG: %d,%s" % (m.cereg_n, _cereg_fields(m))]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    m.cereg_n = _one_param(cmd, 0, 5)
    return []


def cgpaddr(m, cmd):
    if cmd.form == "test":
        return ["+CGPADDR: (1)"]
    if cmd.form == "set" and cmd.params().int(0, 1, 15) != 1:
        return []
    if cmd.form not in ("set", "exec"):
        raise CommandError(INVALID_PARAM)
    # The manual prints the address unquoted: +CGPADDR: 1,101.43.5.1
    return ["+CGPADDR: 1,%s" % m.knobs.ip] if m.registered else ["+CGPADDR: 1"]


def csq(m, cmd):
    if cmd.form == "test":
        return ["+CSQ: (0-31,99),(0-7,99)"]
    if cmd.form != "exec":
        raise CommandError(INVALID_PARAM)
    rssi, ber = m.knobs.csq if m.registered else (99, 99)
    return ["+CSQ: %d,%d" % (rssi, ber)]


def cgatt(m, cmd):
    if cmd.form == "test":
        return ["+CGATT: (0,1)"]
    if cmd.form == "read":
        return ["+CGATT: %d" % (1 if m.registered else 0)]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    _one_param(cmd, 0, 1)
    return []


def qsclk(m, cmd):
    if cmd.form == "test":
        return ["+QSCLK: (0-2)"]
    if cmd.form == "read":
        return ["+QSCLK: %d" % m.nv.qsclk]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    m.nv.qsclk = _one_param(cmd, 0, 2)
    return []


def _timer_bits(p, i, width, default):
    if not p.present(i):
        return default
    value = p.str(i, width, need_quotes=True)
    if len(value) != width or set(value) - set("01"):
        raise CommandError(INVALID_PARAM)
    return value


def cpsms(m, cmd):
    if cmd.form == "test":
        return ['+CPSMS: (0-2),,,("00000000"-"11111111"),("00000000"-"11111111")']
    if cmd.form == "read":
        mode, tau, active = m.nv.psm
        return ['+CPSMS: %d,,,"%s","%s"' % (mode, tau, active)]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 5:
        raise CommandError(INVALID_PARAM)
    mode = p.int(0, 0, 2, default=0)
    if mode == 2:
        m.nv.psm = [0, "00111000", "00100100"]  # off, and the timers back to their defaults
        return []
    m.nv.psm = [mode, _timer_bits(p, 3, 8, m.nv.psm[1]), _timer_bits(p, 4, 8, m.nv.psm[2])]
    return []


def cedrxs(m, cmd):
    if cmd.form == "test":
        return ['+CEDRXS: (0-3),(5),("0000"-"1111")']
    if cmd.form == "read":
        mode, act, value = m.nv.edrx
        return ['+CEDRXS: %d,"%s"' % (act, value)] if mode in (1, 2) else []
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 3:
        raise CommandError(INVALID_PARAM)
    mode = p.int(0, 0, 3, default=0)
    act = p.int(1, 5, 5, default=5)
    if mode == 3:
        m.nv.edrx = [0, 5, "0101"]
        return []
    m.nv.edrx = [mode, act, _timer_bits(p, 2, 4, m.nv.edrx[2])]
    return []


def _clock(prefix):
    def handler(m, cmd):
        if cmd.form == "test":
            return []
        if cmd.form != "read":
            raise CommandError(INVALID_PARAM)
        return ["%s: %s" % (prefix, format_clock(m.now(), m.knobs.tz_quarters))]

    return handler


def cpin(m, cmd):
    if cmd.form == "read":
        return ["+CPIN: READY"]
    raise CommandError(INVALID_PARAM)


def cmee(m, cmd):
    if cmd.form == "test":
        return ["+CMEE: (0-2)"]
    if cmd.form == "read":
        return ["+CMEE: %d" % m.cmee]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    m.cmee = _one_param(cmd, 0, 2)
    return []


def cfun(m, cmd):
    if cmd.form == "read":
        return ["+CFUN: 1"]
    if cmd.form == "test":
        return ["+CFUN: (0,1,4,7),(0,1)"]
    return []


def qrst(m, cmd):
    if cmd.form == "test":
        return ["+QRST: (1)"]
    if cmd.form != "set" or _one_param(cmd, 1, 1) != 1:
        raise CommandError(INVALID_PARAM)
    m.reboot("reboot (AT+QRST=1)")
    return NoAnswer


def cgsn(m, cmd):
    if cmd.form == "test":
        return ["+CGSN: (0-3)"]
    return ["+CGSN: " + _IMEI]


def cimi(m, cmd):
    return [_IMSI]


COMMANDS = {
    "": at,
    "E": ate,
    "I": ati,
    "Z": accept,
    "&W": accept,
    "&F": accept,
    "+CEREG": cereg,
    "+CGPADDR": cgpaddr,
    "+CSQ": csq,
    "+CGATT": cgatt,
    "+QSCLK": qsclk,
    "+CPSMS": cpsms,
    "+CEDRXS": cedrxs,
    "+QCCLK": _clock("+QCCLK"),
    "+CCLK": _clock("+CCLK"),
    "+CPIN": cpin,
    "+CMEE": cmee,
    "+CFUN": cfun,
    "+QRST": qrst,
    "+CGSN": cgsn,
    "+CIMI": cimi,
}
