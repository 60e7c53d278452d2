# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# bc26.aio against a FakeUART: commands from many coroutines never interleave on the wire,
# waiting for the module never blocks the loop, and the poller delivers URCs while idle.
import asyncio

import bc26
from bc26.aio import AsyncModem
from bc26.usocket import SocketPool
from fakeuart import FakeUART

OK = b"\r\nOK\r\n"


def make():
    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = True
    return u, m, AsyncModem(m, tick_ms=2)


def run(coro):
    return asyncio.run(coro)


async def _sleep(ms):
    await asyncio.sleep(ms / 1000)


async def _within_ms(aw, ms):
    async def wait():
        return await aw

    if hasattr(asyncio, "wait_for_ms"):
        return await asyncio.wait_for_ms(wait(), ms)
    return await asyncio.wait_for(wait(), ms / 1000)


async def _ticker(ms):
    n = 0
    for _ in range(ms // 5):
        await _sleep(5)
        n += 1
    return n


def test_open_send_recv_close():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK, (20, b"\r\n+QIOPEN: 0,0\r\n"))
    u.reply(b"AT+QISEND=0,5,hello\r", OK, (20, b"\r\nSEND OK\r\n"), (40, b'\r\n+QIURC: "recv",0\r\n'))
    u.reply(b"AT+QIRD=0,64\r", b"\r\n+QIRD: 5\r\nworld\r\n" + OK)
    u.reply(b"AT+QICLOSE=0\r", OK, (10, b"\r\nCLOSE OK\r\n"))

    async def main():
        am.start()
        s = await am.open("TCP", "10.0.0.1", 80)
        assert await s.send(b"hello") == 5
        got = await s.recv(64, timeout=2000)
        await s.close()
        await s.close()
        am.stop()
        return got

    assert run(main()) == b"world"
    assert u.take_tx() == (
        b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\rAT+QISEND=0,5,hello\rAT+QIRD=0,64\rAT+QICLOSE=0\r'
    )
    assert m.sockets.table[0] is None


def test_commands_from_many_coroutines_take_turns_and_the_loop_runs_meanwhile():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"UDP","10.0.0.1",7,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b'AT+QIOPEN=1,1,"UDP","10.0.0.2",7,0,0\r', OK + b"\r\n+QIOPEN: 1,0\r\n")

    async def main():
        a = await am.open("UDP", "10.0.0.1", 7)
        b = await am.open("UDP", "10.0.0.2", 7)
        u.take_tx()
        for i in range(3):
            for s in (a, b):
                u.reply(b"AT+QISEND=%d,2,m%d\r" % (s.sock.id, i), OK, (15, b"\r\nSEND OK\r\n"))

        async def sender(s):
            for i in range(3):
                await s.send(b"m%d" % i)

        ticks = asyncio.create_task(_ticker(60))
        await asyncio.gather(sender(a), sender(b))
        return await ticks

    ticks = run(main())
    assert ticks >= 6, ticks  # the loop was free while the module took 15 ms per send
    tx = u.take_tx()
    # Each command goes out only after the one before it is answered: six whole lines.
    lines = tx.split(b"\r")[:-1]
    assert len(lines) == 6 and all(x.startswith(b"AT+QISEND=") for x in lines), tx
    assert sorted(lines) == sorted(b"AT+QISEND=%d,2,m%d" % (c, i) for c in (0, 1) for i in range(3))


def test_data_mode_send_waits_for_the_prompt_without_blocking():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b"AT+QISEND=0,3\r", (10, b"\r\n> "))
    u.reply(b"\x00\x01\x02", OK, (10, b"\r\nSEND OK\r\n"))

    async def main():
        s = await am.open("TCP", "10.0.0.1", 80)
        return await s.send(b"\x00\x01\x02")

    assert run(main()) == 3
    assert u.take_tx().endswith(b"AT+QISEND=0,3\r\x00\x01\x02")


def test_news_read_while_a_waiter_gets_ready_wakes_it():
    # A coroutine looks at the engine (step), finds nothing and waits for news; its wait runs
    # as a task of its own, which starts a round later. When the poller reads the module's
    # answer in between ('>' for a send, seen in the e2e run), the pulse came before anyone
    # waited, the module says nothing more until the coroutine acts, and the send waited its
    # whole 2 s for a prompt that had come. A pulse after the look must end the wait.
    u, m, am = make()
    clock = bc26._compat

    async def main():
        am._task = asyncio.create_task(_sleep(5000))  # a poller that reads nothing itself
        t0 = clock.ticks_ms()
        waiter = asyncio.create_task(am._idle(1500))
        await _sleep(0)  # the waiter looked, and its wait is begun but not yet in place
        am._pulse()  # what the poller does after each read
        await waiter
        am._task.cancel()
        return clock.ticks_diff(clock.ticks_ms(), t0)

    took = run(main())
    assert took < 500, took


def test_failures_raise_the_modules_errors():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",9,0,0\r', OK + b"\r\n+QIOPEN: 0,566\r\n")
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")

    async def main():
        try:
            await am.open("TCP", "10.0.0.1", 9)
        except bc26.BC26Error as e:
            return e.code

    assert run(main()) == 566
    assert m.sockets.table[0] is None


def test_recv_times_out_and_timeout_zero_returns_none():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,1\r', OK + b"\r\n+QIOPEN: 0,0\r\n")

    async def main():
        s = await am.open("TCP", "10.0.0.1", 80, mode=bc26.PUSH)
        assert await s.recv(10, timeout=0) is None
        try:
            await s.recv(10, timeout=30)
        except bc26.BC26Timeout as e:
            return e.args[0]

    assert run(main()) == 110


def test_resolve_and_ping():
    u, m, am = make()
    u.reply(
        b'AT+QIDNSGIP=1,"iot.example"\r',
        OK,
        (10, b'\r\n+QIURC: "dnsgip",0,1,300\r\n+QIURC: "dnsgip","10.1.2.3"\r\n'),
    )
    u.reply(
        b'AT+QPING=1,"10.1.2.3",4,1\r',
        OK,
        (10, b'\r\n+QPING: 0,"10.1.2.3",32,42,255\r\n\r\n+QPING: 0,1,1,0,42,42,42\r\n'),
    )

    async def main():
        names = await am.resolve("iot.example")
        replies, summary = await am.ping("10.1.2.3", count=1)
        return names, replies, summary

    names, replies, summary = run(main())
    assert names == (["10.1.2.3"], 300)
    assert replies == [(0, "10.1.2.3", 32, 42, 255)] and summary[2] == 1


def test_the_poller_delivers_urcs_while_no_command_runs():
    u, m, am = make()

    async def main():
        # Awaiting start() returns at once (the poller itself never ends), and a second
        # start() is the same poller.
        started = await _within_ms(am.start(), 1000)
        assert started is None and am.start().task is am._task
        u.feed(b"\r\n+IP: 10.170.1.2\r\n")
        for _ in range(100):
            if m.ip:
                break
            await _sleep(2)
        am.stop()

    run(main())
    assert m.ip == "10.170.1.2"


def test_the_socket_adapter_steps_aside_while_a_command_is_in_flight():
    u, m, am = make()
    pool = SocketPool(m)
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b'AT+QPING=1,"10.0.0.9",4,1\r', OK, (40, b"\r\n+QPING: 569\r\n\r\n+QPING: 0,1,0,1,0,0,0\r\n"))
    u.reply(b"AT+QISEND=0,2,hi\r", OK + b"\r\nSEND OK\r\n")
    s = pool.socket()
    s.connect(("10.0.0.1", 80))
    s.setblocking(False)

    async def main():
        ping = asyncio.create_task(am.ping("10.0.0.9", count=1))
        await _sleep(10)
        during = s.write(b"hi")  # the ping holds the module
        await ping
        return during, s.write(b"hi")

    assert run(main()) == (None, 2)


def test_a_recv_urc_that_comes_with_an_empty_read_is_not_lost():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b"AT+QIRD=0,16\r", b"\r\n+QIRD: 2\r\nab\r\n" + OK)
    u.reply(b"AT+QIRD=0,16\r", b"\r\n+QIRD: 0\r\n" + OK + b'\r\n+QIURC: "recv",0\r\n')
    u.reply(b"AT+QIRD=0,16\r", b"\r\n+QIRD: 2\r\ncd\r\n" + OK)

    async def main():
        s = await am.open("TCP", "10.0.0.1", 80)
        u.feed(b'\r\n+QIURC: "recv",0\r\n')
        first = await s.recv(16, timeout=1000)
        second = await s.recv(16, timeout=1000)  # announced while the empty read was answered
        return first, second

    assert run(main()) == (b"ab", b"cd")


def test_the_first_open_reads_the_modules_data_format_if_start_did_not():
    u, m, am = make()
    m.sockets.known = False
    u.reply(b'AT+QICFG="dataformat"\r', b'\r\n+QICFG: "dataformat",0,0\r\n' + OK)
    u.reply(b'AT+QICFG="viewmode"\r', b'\r\n+QICFG: "viewmode",1\r\n' + OK)
    u.reply(b'AT+QICFG="showlength"\r', b'\r\n+QICFG: "showlength",0\r\n' + OK)
    u.reply(b'AT+QICFG="echomode"\r', b'\r\n+QICFG: "echomode",0\r\n' + OK)
    u.reply(b'AT+QIOPEN=1,0,"UDP","10.0.0.1",7,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")

    async def main():
        await am.open("UDP", "10.0.0.1", 7)

    run(main())
    assert m.sockets.known and m.sockets.viewmode == 1


# --- the same operations as the blocking layer (bc26.aio runs sockets.py's own code) ------


async def _error(aw):
    try:
        await aw
    except bc26.BC26Error as e:
        return e
    raise AssertionError("no BC26Error")


def test_after_a_timeout_the_next_command_resynchronises_first():
    u, m, am = make()
    u.reply(b"AT\r", OK)
    u.reply(b"AT\r", OK)
    u.reply(b'AT+QPING=1,"10.0.0.9",4,1\r', OK, (10, b"\r\n+QPING: 0,1,0,1,0,0,0\r\n"))

    async def main():
        late = await _error(am.command("AT+QIRD=9,1", timeout=30))  # nothing answers
        replies, summary = await am.ping("10.0.0.9", count=1)
        return late, summary

    late, summary = run(main())
    assert isinstance(late, bc26.BC26Timeout) and summary[1] == 1
    assert u.take_tx() == b'AT+QIRD=9,1\rAT\rAT\rAT+QPING=1,"10.0.0.9",4,1\r'


def test_remote_close_lets_the_rest_be_read_then_closes():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 3\r\nbye\r\n" + OK)
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 0\r\n" + OK)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")

    async def main():
        s = await am.open("TCP", "10.0.0.1", 80)
        u.take_tx()
        u.feed(b'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "closed",0\r\n')
        got = []
        for _ in range(3):
            got.append(await s.recv(10, timeout=1000))
        return got

    assert run(main()) == [b"bye", b"", b""]
    assert u.take_tx() == b"AT+QIRD=0,10\rAT+QIRD=0,10\rAT+QICLOSE=0\r"
    assert m.sockets.table[0] is None


def test_the_poller_closes_a_socket_that_opened_too_late():
    u, m, am = make()
    u.reply(b"AT+QICLOSE=3\r", OK + b"\r\nCLOSE OK\r\n")

    async def main():
        am.start()
        u.feed(b"\r\n+QIOPEN: 3,0\r\n")  # an open the driver gave up on succeeded after all
        for _ in range(100):
            if not m.sockets.orphans and u.tx:
                break
            await _sleep(2)
        am.stop()

    run(main())
    assert u.take_tx() == b"AT+QICLOSE=3\r" and m.sockets.orphans == 0


def test_send_failures_are_those_of_the_blocking_send():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b"AT+QISEND=0,1460\r", b"> ")
    u.reply(bytes(1460), OK + b"\r\nSEND OK\r\n")
    u.reply(b"AT+QISEND=0,540\r", b"> ")
    u.reply(bytes(540), OK + b"\r\nSEND FAIL\r\n")
    u.reply(b"AT+QISEND=0,2,ab\r", b"\r\nERROR\r\n")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 567,socket has been closed\r\n" + OK)

    async def main():
        s = await am.open("TCP", "10.0.0.1", 80)
        failed = await _error(s.send(bytes(2000)))
        bare = await _error(s.send(b"ab"))  # a bare ERROR: the module's code is asked for
        return failed, bare

    failed, bare = run(main())
    assert isinstance(failed, bc26.SendFailed) and failed.sent == 1460
    assert bare.code == 567


def test_a_failed_read_names_the_modules_code():
    u, m, am = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","10.0.0.1",80,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    u.reply(b"AT+QIRD=0,8\r", b"\r\nERROR\r\n")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 550,unknown error\r\n" + OK)

    async def main():
        s = await am.open("TCP", "10.0.0.1", 80)
        s.sock.pending = True
        return await _error(s.recv(8, timeout=1000))

    assert run(main()).code == 550
    assert u.take_tx().endswith(b"AT+QIRD=0,8\rAT+QIGETERROR\r")
