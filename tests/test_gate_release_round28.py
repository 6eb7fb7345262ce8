"""A host's 429 gate, let go after its wait, is dropped once its last waiting request is answered, whatever its slot's concurrency."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from crawler.middlewares import RateLimitGateMiddleware


@pytest.mark.parametrize("per_domain", [1, 2, 8])
def test_a_gate_let_go_is_dropped_when_none_waits_and_none_is_out(per_domain: int) -> None:
    # Before: the gate was dropped only when the slot sent more than one at a time; with
    # CONCURRENT_REQUESTS_PER_DOMAIN=1 it stayed for the rest of the run, every request to the host went
    # through the waiting path, and a closing run refused them "while the site asked to wait".
    crawler = get_crawler(settings_dict={"CONCURRENT_REQUESTS_PER_DOMAIN": per_domain})
    gate_middleware = RateLimitGateMiddleware.from_crawler(crawler)
    key = "www.business-standard.com"
    gate_middleware.host_held(key, True)
    gate = gate_middleware.gates[key]
    out, queued = Request("https://www.business-standard.com/a-1"), Request("https://www.business-standard.com/a-2")
    gate.admitted.add(out)
    let_go: list[bool] = []
    waiter: Deferred[None] = Deferred()
    waiter.addCallback(lambda _: let_go.append(True))
    gate.waiting.append(waiter)
    gate_middleware.host_held(key, False)  # the wait is over (no engine here: the setting's concurrency)
    if per_domain == 1:
        assert not let_go  # one out already: the next goes when it is answered
        gate_middleware._went(out)
    assert let_go == [True]
    gate.admitted.add(queued)  # (as _admit adds the request its waiter let go)
    gate_middleware._went(out)
    gate_middleware._went(queued)
    assert key not in gate_middleware.gates


def test_a_gate_still_held_stays_when_its_last_request_is_answered() -> None:
    crawler = get_crawler(settings_dict={"CONCURRENT_REQUESTS_PER_DOMAIN": 1})
    gate_middleware = RateLimitGateMiddleware.from_crawler(crawler)
    key = "www.business-standard.com"
    gate_middleware.host_held(key, True)
    out = Request("https://www.business-standard.com/a-1")
    gate_middleware.gates[key].admitted.add(out)
    gate_middleware._went(out)
    assert key in gate_middleware.gates  # held: the next request still waits its turn
