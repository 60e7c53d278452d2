"""One background thread that owns every host socket: a selector loop plus timers.

The modem never blocks: it asks for work (connect, send, resolve, a timer) and the reactor calls back
later. Anything that touches the selector runs on the reactor thread, so callers on other threads post
it with call_soon; the loop wakes through a socket pair.
"""

import heapq
import itertools
import selectors
import socket
import threading
import time


class Timer:
    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when, fn, args):
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class Reactor:
    def __init__(self, name="bc26emu-reactor", on_error=None):
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._timers = []
        self._seq = itertools.count()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._stopping = False
        self._on_error = on_error
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # Thread-safe scheduling -------------------------------------------------------------------

    def call_later(self, delay, fn, *args):
        timer = Timer(time.monotonic() + max(0.0, delay), fn, args)
        with self._lock:
            heapq.heappush(self._timers, (timer.when, next(self._seq), timer))
        self._wake()
        return timer

    def call_soon(self, fn, *args):
        return self.call_later(0.0, fn, *args)

    def in_loop(self):
        return threading.current_thread() is self._thread

    # Selector access: only from the reactor thread (use call_soon from elsewhere) ---------------

    def watch(self, sock, events, callback):
        """Call callback(mask) whenever sock is ready; replaces any earlier watch of sock."""
        try:
            self._selector.modify(sock, events, callback)
        except KeyError:
            self._selector.register(sock, events, callback)

    def unwatch(self, sock):
        try:
            self._selector.unregister(sock)
        except (KeyError, ValueError):
            pass

    def discard(self, sock):
        """Forget and close a socket; safe from any thread."""

        def drop():
            self.unwatch(sock)
            try:
                sock.close()
            except OSError:
                pass

        if self.in_loop():
            drop()
        else:
            self.call_soon(drop)

    # Lifecycle -------------------------------------------------------------------------------

    def close(self, timeout=2.0):
        if self._stopping:
            return
        self._stopping = True
        self._wake()
        if not self.in_loop():
            self._thread.join(timeout)
        for key in list(self._selector.get_map().values()):
            try:
                key.fileobj.close()
            except OSError:
                pass
        self._selector.close()
        self._wake_w.close()

    def _wake(self):
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already awake, or closing

    def _run(self):
        while not self._stopping:
            with self._lock:
                delay = self._timers[0][0] - time.monotonic() if self._timers else 1.0
            try:
                events = self._selector.select(max(0.0, min(delay, 1.0)))
            except (OSError, ValueError):
                if self._stopping:
                    return
                raise
            for key, mask in events:
                if key.data is None:
                    try:
                        while self._wake_r.recv(512):
                            pass
                    except (BlockingIOError, OSError):
                        pass
                    continue
                self._guard(key.data, mask)
            self._run_due_timers()

    def _run_due_timers(self):
        now = time.monotonic()
        while not self._stopping:
            with self._lock:
                if not self._timers or self._timers[0][0] > now:
                    return
                _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                self._guard(timer.fn, *timer.args)

    def _guard(self, fn, *args):
        # One bad callback must not kill the loop every socket depends on.
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001
            if self._on_error:
                self._on_error(exc)
            else:
                import traceback

                traceback.print_exc()
