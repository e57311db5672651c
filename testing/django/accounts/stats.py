"""Process-wide, thread-safe counters for /auth/refresh (runserver is threaded)."""
import threading

_lock = threading.Lock()
_state = {}
_generation = 0  # bumped by reset(): requests begun before it are not counted


def _defaults():
    return {
        "refresh_calls": 0,
        "refresh_ok": 0,
        "refresh_rejected": 0,
        "refresh_in_flight": 0,
        "refresh_max_concurrent": 0,
        # test control: extra latency added to every /auth/refresh request
        "refresh_delay_ms": 0,
    }


_state.update(_defaults())


def begin():
    """Count a request that reached /auth/refresh.

    Returns (generation, delay_ms); pass the generation to finish()."""
    with _lock:
        _state["refresh_calls"] += 1
        _state["refresh_in_flight"] += 1
        if _state["refresh_in_flight"] > _state["refresh_max_concurrent"]:
            _state["refresh_max_concurrent"] = _state["refresh_in_flight"]
        return _generation, _state["refresh_delay_ms"]


def finish(generation, ok):
    with _lock:
        if generation != _generation:
            return  # begun before a reset(): keep calls == ok + rejected
        _state["refresh_in_flight"] -= 1
        _state["refresh_ok" if ok else "refresh_rejected"] += 1


def snapshot():
    with _lock:
        return dict(_state)


def reset():
    global _generation
    with _lock:
        _generation += 1
        _state.update(_defaults())


def configure(refresh_delay_ms=None):
    with _lock:
        if refresh_delay_ms is not None:
            _state["refresh_delay_ms"] = refresh_delay_ms
        return dict(_state)
