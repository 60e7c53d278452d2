# The fuzz of fuzzcore.py with hypothesis choosing the bytes (CPython only): module output
# built from well-formed records, mutations and raw bytes, in any chunking.
import fuzzcore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bc26.errors import BC26Error

piece = st.one_of(
    st.sampled_from(fuzzcore.RECORDS),
    st.binary(min_size=1, max_size=48),
    st.builds(
        lambda r, i, b: r[:i] + b + r[i:],
        st.sampled_from(fuzzcore.RECORDS),
        st.integers(0, 40),
        st.binary(max_size=6),
    ),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(piece, max_size=20),
    chunk=st.sampled_from((0, 1, 2, 5, 13)),
    rxbuf=st.sampled_from((64, 200, 1536)),
    viewmode=st.integers(0, 1),
    recv_hex=st.booleans(),
)
def test_any_module_output(pieces, chunk, rxbuf, viewmode, recv_hex):
    fuzzcore.clock_on()
    try:
        one(pieces, chunk, rxbuf, viewmode, recv_hex)
    finally:
        fuzzcore.clock_off()


def one(pieces, chunk, rxbuf, viewmode, recv_hex):
    u, m, seen = fuzzcore.make(chunk, rxbuf, viewmode, recv_hex, 0)
    for p in pieces:
        u.feed(p)
        for _ in range(3):
            try:
                m.poll()
            except BC26Error:  # a documented exception is fine; nothing else is
                pass
            fuzzcore.check_bounds(m)
    fuzzcore.expire_data(u, m)
    assert fuzzcore.sentinel_seen(u, m, seen)
