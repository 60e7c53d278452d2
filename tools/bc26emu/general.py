"""General commands a driver needs at bring-up (BC26 AT manual, summarised in research/hardware.md)."""

import time

from .atparse import NoAnswer
from .errors import INVALID_PARAM, SIM_NOT_INSERTED, CmeError, CommandError
from .services_at import format_clock

_TAC, _CI, _ACT_NB = "1A2B", "0C3D4E5F", 9
_IMEI, _IMSI = "866971030000001", "460001234567890"


def _stat(m):
    # 1 home network, 5 roaming; 0 not searching (no SIM, radio off, detached), 2 searching,
    # 3 denied (the knob network, or a wrong APN).
    if m.registered:
        return 5 if m.knobs.network == "roaming" else 1
    if m.knobs.sim != "ready":
        return 0
    if m.denied or m.knobs.network == "denied":
        return 3
    return 2 if m.cfun == 1 and m.attach else 0


def may_register(m):
    """Whether the network lets the module in (the knobs sim and network)."""
    return m.knobs.sim == "ready" and m.knobs.network in ("home", "roaming")


# --- the network: coverage (the emulator's drop_network/restore_network), AT+CFUN, AT+CGATT ----


def wants_network(m):
    return m.coverage and m.cfun == 1 and m.attach


def network_changed(m, why):
    """After coverage, CFUN or CGATT changed: lose the network, or look for it again."""
    if not wants_network(m):
        m.denied = False
        if m.registered:
            lose_network(m, why)
        elif m.cereg_n:
            m.urc(cereg_urc(m))
    elif not m.registered and not m.denied:
        m.later(m.knobs.reg_delay, m._register)


def lose_network(m, why):
    # The default PDN goes with the registration: the sockets' connections are gone (each
    # connected one says "closed"), then "pdpdeact" and the new +CEREG.
    m.registered = False
    m.transcript.event("network lost: " + why)
    for slot in list(m.sockets.slots.values()):
        if slot.link is not None:
            m.net.close(slot.link)
            slot.link = None
        m.sockets.remote_closed(slot)
    m.urc('+QIURC: "pdpdeact",1')
    if m.cereg_n:
        m.urc(cereg_urc(m))


def registration_stat(m):
    """The <stat> of +CEREG now."""
    return _stat(m)


def _cereg_fields(m):
    fields = "%d" % registration_stat(m)
    n = m.cereg_n
    if n >= 2 and m.registered:
        fields += ',"%s","%s",%d' % (_TAC, _CI, _ACT_NB)
        if n >= 4:
            # Active-Time (T3324) and Periodic-TAU (T3412) as the network granted them.
            tau, active = granted_psm(m)
            fields += ',,,"%s","%s"' % (active, tau)
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
    # A cell is heard once registered, and also by a module the network turned away.
    heard = m.registered or (m.knobs.network == "denied" and m.knobs.sim == "ready")
    rssi, ber = m.knobs.csq if heard else (99, 99)
    return ["+CSQ: %d,%d" % (rssi, ber)]


def cgatt(m, cmd):
    if cmd.form == "test":
        return ["+CGATT: (0,1)"]
    if cmd.form == "read":
        return ["+CGATT: %d" % (1 if m.registered else 0)]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    m.attach = _one_param(cmd, 0, 1) == 1
    network_changed(m, "AT+CGATT=0")
    return []


def qsclk(m, cmd):
    if cmd.form == "test":
        return ["+QSCLK: (0-2)"]
    if cmd.form == "read":
        return ["+QSCLK: %d" % m.nv.qsclk]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    m.nv.qsclk = _one_param(cmd, 0, 2)
    _arm_psm(m)
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
        # The requested timers, or (cpsms_reads_grant) the granted ones, as some firmware does.
        mode, tau, active = m.nv.psm
        if power_state(m).cpsms_reads_grant:
            tau, active = granted_psm(m)
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
    _arm_psm(m)
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


def cedrxrdp(m, cmd):
    # Dynamic eDRX parameters: AcT 5, requested value, network-provided value, paging time window.
    if cmd.form == "test":
        return []
    if cmd.form != "exec":
        raise CommandError(INVALID_PARAM)
    mode, act, value = m.nv.edrx
    if mode not in (1, 2) or not m.registered:
        return ["+CEDRXRDP: 0"]
    granted, ptw = power_state(m).granted_edrx or (value, "0011")
    return ['+CEDRXRDP: %d,"%s","%s","%s"' % (act, value, granted, ptw)]


def qnbiotevent(m, cmd):
    st = power_state(m)
    if cmd.form == "test":
        return ["+QNBIOTEVENT: (0,1),(1)"]
    if cmd.form == "read":
        return ["+QNBIOTEVENT: %d,1" % st.nbiotevent]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 2:
        raise CommandError(INVALID_PARAM)
    st.nbiotevent = p.int(0, 0, 1)
    p.int(1, 1, 1, default=1)
    return []


def qatwakeup(m, cmd):
    st = power_state(m)
    if cmd.form == "test":
        return ["+QATWAKEUP: (0,1)"]
    if cmd.form == "read":
        return ["+QATWAKEUP: %d" % st.qatwakeup]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    st.qatwakeup = _one_param(cmd, 0, 1)
    return []


def qrellock(m, cmd):
    # Gives up the sleep lock each command takes (manual: 10 s), so sleep may start at once.
    if cmd.form == "test":
        return []
    if cmd.form != "exec":
        raise CommandError(INVALID_PARAM)
    _arm_psm(m, lock=False)
    return []


# --- PSM and the power pins (research/hardware.md section 2) -----------------------------------
# The module enters PSM when PSM is requested (AT+CPSMS=1), sleep is allowed (AT+QSCLK=1), it is
# registered, no TCP link holds it awake, and the timers ran out: the 10 s sleep lock after the
# last command (unless AT+QRELLOCK gave it up), then the active time T3324. Those timers run
# PSM_TIME_SCALE times faster here, so a test sees PSM in milliseconds. In PSM the module is
# deaf and mute (it still records the commands it receives) and keeps its sockets; a falling
# edge on PSM_EINT wakes it (pin() or psm_eint()), and RESET held low >= 50 ms reboots it.

PSM_TIME_SCALE = 100
_LOCK_S = 10
# T3412 (GPRS timer 3) and T3324 (GPRS timer 2) units in seconds, by the top three bits.
_T3412_UNITS = {0: 600, 1: 3600, 2: 36000, 3: 2, 4: 30, 5: 60, 6: 1152000}
_T3324_UNITS = {0: 2, 1: 60, 2: 360}


class PowerState:
    """What the power section keeps per module; tests may set the granted_* fields."""

    def __init__(self):
        self.nbiotevent = 0  # AT+QNBIOTEVENT=1,1: +QNBIOTEVENT: "ENTER PSM" / "EXIT PSM"
        self.qatwakeup = 0  # AT+QATWAKEUP=1: +QATWAKEUP once awake
        self.asleep = False
        self.entered = 0  # how many times the module entered PSM
        self.armed = 0  # only the latest scheduled PSM check counts
        self.granted_psm = None  # (T3412, T3324) bit strings the network grants; None: as asked
        self.granted_edrx = None  # (value, PTW) bit strings; None: as asked, PTW "0011"
        self.cpsms_reads_grant = False  # AT+CPSMS? shows the granted timers, not the requested
        self.low_since = {}  # pin name -> time.monotonic() when it went low


def power_state(m):
    st = getattr(m, "power", None)
    if st is None:
        st = m.power = PowerState()
    return st


def granted_psm(m):
    """(T3412, T3324) as the network granted them: the requested ones unless a test said otherwise."""
    return power_state(m).granted_psm or (m.nv.psm[1], m.nv.psm[2])


def timer_seconds(bits, units):
    """A GPRS timer bit string in seconds, None when deactivated (unit bits 111)."""
    unit = int(bits[:3], 2)
    if unit == 7:
        return None
    return int(bits[3:], 2) * units.get(unit, 60)


def _psm_allowed(m):
    if m.nv.psm[0] != 1 or m.nv.qsclk != 1 or not m.registered:
        return False
    return not any(s.kind == "TCP" and s.state == 2 for s in m.sockets.slots.values())


def _arm_psm(m, lock=True):
    # Check for PSM when the timers would run out; a command in between restarts the lock.
    st = power_state(m)
    if st.asleep or not _psm_allowed(m):
        return
    tau, active = granted_psm(m)
    seconds = timer_seconds(active, _T3324_UNITS)
    if seconds is None:
        return  # no active time: the module never enters PSM
    st.armed += 1
    token, seen = st.armed, m.commands_seen

    def check():
        if st.armed != token or st.asleep:
            return
        if m.commands_seen != seen:
            _arm_psm(m)
        elif _psm_allowed(m):
            enter_psm(m)

    # The timers run scaled, the answers do not: a module with slow answers (answer_delay) must
    # not fall asleep before its answer is out, which a real one, 10 s after a command, never does.
    m.later(((_LOCK_S if lock else 0) + seconds) / PSM_TIME_SCALE + m.knobs.answer_delay, check)


def enter_psm(m):
    """PSM now: +QNBIOTEVENT: "ENTER PSM" if enabled, then silence until psm_eint()."""
    with m.lock:
        st = power_state(m)
        if st.asleep:
            return
        if st.nbiotevent:
            m.urc('+QNBIOTEVENT: "ENTER PSM"')
        st.asleep = True
        st.entered += 1
        m.knobs.silent = True
        m.transcript.event("enter PSM")


def psm_eint(m):
    """A falling edge on PSM_EINT: out of PSM, +QNBIOTEVENT: "EXIT PSM" and +QATWAKEUP if enabled."""
    with m.lock:
        st = power_state(m)
        if not st.asleep:
            return
        st.asleep = False
        m.knobs.silent = False
        m.transcript.event("exit PSM (PSM_EINT)")
        if st.nbiotevent:
            m.urc('+QNBIOTEVENT: "EXIT PSM"')
        if st.qatwakeup:
            m.urc("+QATWAKEUP")
        _arm_psm(m)


def pin(m, name, level):
    """The module's pin `name` (PWRKEY, RESET, PSM_EINT) driven to level 0 (low) or 1 (released)."""
    with m.lock:
        st = power_state(m)
        now = time.monotonic()
        if level == 0:
            if name not in st.low_since:
                st.low_since[name] = now
                if name == "PSM_EINT":
                    psm_eint(m)
            return
        since = st.low_since.pop(name, None)
        if since is None:
            return
        held = now - since
        m.transcript.event("%s low for %d ms" % (name, held * 1000))
        if name == "RESET" and held >= 0.05:
            st.asleep = False
            m.knobs.silent = False
            m.reboot("reboot (RESET pin)")
        # PWRKEY: the emulated module is always powered; a press only shows in the transcript.


def _clock(prefix):
    def handler(m, cmd):
        if cmd.form == "test":
            return []
        if cmd.form != "read":
            raise CommandError(INVALID_PARAM)
        return ["%s: %s" % (prefix, format_clock(m.now(), m.knobs.tz_quarters))]

    return handler


def _sim_present(m):
    if m.knobs.sim == "missing":
        raise CmeError(SIM_NOT_INSERTED)


def cpin(m, cmd):
    if cmd.form == "test":
        return []
    if cmd.form == "read":
        _sim_present(m)
        return ["+CPIN: SIM PIN" if m.knobs.sim == "pin" else "+CPIN: READY"]
    raise CommandError(INVALID_PARAM)


def qccid(m, cmd):
    # +QCCID: 89860... (the AT manual, 4.12): the SIM's ICCID, bare digits.
    if cmd.form == "test":
        return []
    if cmd.form != "exec":
        raise CommandError(INVALID_PARAM)
    _sim_present(m)
    return ["+QCCID: " + m.knobs.iccid]


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
        return ["+CFUN: %d" % m.cfun]
    if cmd.form == "test":
        return ["+CFUN: (0,1,4,7),(0,1)"]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    fun = p.int(0, 0, 7)
    if fun not in (0, 1, 4, 7) or p.int(1, 0, 1, default=0) == 1:
        raise CommandError(INVALID_PARAM)  # <rst>=1 is not emulated
    m.cfun = 1 if fun == 1 else 0  # 4 and 7 turn the radio off too
    network_changed(m, "AT+CFUN=%d" % fun)
    return []


_PDP_TYPES = ("IP", "IPV6", "IPV4V6", "NON-IP")


def qcgdefcont(m, cmd):
    # The PDP context of the attach (BC26 AT manual 4.7), kept in NVRAM; it takes effect at the
    # next boot (AT+QRST=1), as the manual's examples do it.
    if cmd.form == "test":
        return ['+QCGDEFCONT: ("IP","IPV6","IPV4V6","Non-IP"),,,']
    if cmd.form == "read":
        kind, apn, user, password = m.nv.pdp
        apn = apn or m.knobs.apn  # the knob: what the SIM's network chose, until one is set
        line = '+QCGDEFCONT: "%s"' % kind
        if apn or user or password:
            line += ',"%s"' % apn
        if user or password:
            line += ',"%s","%s"' % (user, password)
        return [line]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) not in (1, 2, 4):
        raise CommandError(INVALID_PARAM)
    kind = p.str(0, 10, need_quotes=True)
    if kind.upper() not in _PDP_TYPES:
        raise CommandError(INVALID_PARAM)
    apn = p.str(1, 99, default="", need_quotes=True)
    user = p.str(2, 64, default="", need_quotes=True)
    password = p.str(3, 64, default="", need_quotes=True)
    m.nv.pdp = ["Non-IP" if kind.upper() == "NON-IP" else kind.upper(), apn, user, password]
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
    "+CEDRXRDP": cedrxrdp,
    "+QNBIOTEVENT": qnbiotevent,
    "+QATWAKEUP": qatwakeup,
    "+QRELLOCK": qrellock,
    "+QCCLK": _clock("+QCCLK"),
    "+CCLK": _clock("+CCLK"),
    "+CPIN": cpin,
    "+QCCID": qccid,
    "+QCGDEFCONT": qcgdefcont,
    "+CMEE": cmee,
    "+CFUN": cfun,
    "+QRST": qrst,
    "+CGSN": cgsn,
    "+CIMI": cimi,
}
