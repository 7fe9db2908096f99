"""pace.Stepper's fast paths: `next` is the __next__ of an itertools.chain
over library-filled chunks, and iterating a stepper iterates that chain.
Checks that next(), iteration, seek() and step stay consistent whichever way
they are mixed, and that a stepper holds no reference cycle."""

from __future__ import annotations

import gc
import weakref

import pytest

import pace

SPEC = {"preset": "onecycle", "peak": 0.1, "total_steps": 1000}


@pytest.fixture
def values():
    with pace.Schedule(SPEC) as s:
        yield s.values(0, 1000).tolist()  # onecycle: total_steps is 1000


def test_bound_next_survives_chunks_and_seeks(values):
    s = pace.Schedule(SPEC)
    st = s.stepper(chunk=64)
    nxt = st.next  # bound once, as in a training loop
    assert [nxt() for _ in range(200)] == values[:200]
    assert st.step == 200
    st.seek(37)
    assert st.step == 37
    assert [nxt() for _ in range(100)] == values[37:137]
    st.seek(900)
    assert nxt() == values[900] and st.step == 901
    st.seek(899)  # within the chunk just served
    assert nxt() == values[899]


def test_seek_inside_a_for_loop(values):
    st = pace.Schedule(SPEC).stepper(chunk=100, stop=1000)
    out = []
    for i, v in enumerate(st):
        out.append(v)
        if i == 150:
            st.seek(700)
        if len(out) == 300:
            break
    assert out == values[:151] + values[700:849]
    assert st.step == 849
    assert list(st) == values[849:]
    assert st.step == 1000


def test_mixing_next_builtin_next_and_iteration(values):
    st = pace.Schedule(SPEC).stepper(chunk=7, stop=1000)
    got = [st.next() for _ in range(10)]
    got += [next(st) for _ in range(10)]
    got += [v for _, v in zip(range(10), st)]
    got += [st.next() for _ in range(5)]
    assert got == values[:35] and st.step == 35


def test_stop_then_seek_starts_again(values):
    st = pace.Schedule(SPEC).stepper(chunk=128, stop=1000)
    assert list(st) == values
    with pytest.raises(StopIteration):
        st.next()
    with pytest.raises(StopIteration):
        next(st)
    assert st.step == 1000
    st.seek(10)
    assert st.next() == values[10]  # `st.next` read again after the seek
    assert list(st) == values[11:]


def test_step_reads_the_position_at_every_point(values):
    st = pace.Schedule(SPEC).stepper(start=5, chunk=10)
    assert st.step == 5
    for k in range(30):
        assert st.step == 5 + k
        assert st.next() == values[5 + k]
    assert "step=35" in repr(st)


def test_no_reference_cycle():
    s = pace.Schedule(SPEC)
    st = s.stepper(chunk=16)
    st.next()
    ref = weakref.ref(st)
    gc.disable()
    try:
        del st
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_closed_schedule_error_then_seek():
    s = pace.Schedule(SPEC)
    st = s.stepper(chunk=8)
    assert [st.next() for _ in range(8)] == s.values(0, 8).tolist()
    expected = s.values(8, 3).tolist()
    s.close()
    with pytest.raises(ValueError, match="closed"):
        st.next()
    s2 = pace.Schedule(SPEC)
    st.schedule = s2
    st.seek(8)
    assert [st.next() for _ in range(3)] == expected
