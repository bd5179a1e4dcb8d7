"""The broadcast and footprint benchmarks at tiny sizes, so they cannot rot: facts only.

Both start the real `doingwith run` process against the HTTP fake Bot API; timings are
not asserted (a shared machine swings), only what must hold at any speed.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks import broadcast, footprint
from tests.support.fake_api_server import FakeBotApi

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/PID/status")


def test_a_small_broadcast_over_http_reaches_everyone_once_in_order_without_a_429(
    tmp_path: Path,
) -> None:
    figures = broadcast.over_http(40, tmp_path, quiet=True)
    assert figures.problems == ""
    assert figures.states == {"sent": 40}
    fair = figures.fairness
    assert (fair.recipients, fair.reached, fair.lost, fair.duplicates) == (40, 40, 0, 0)
    assert (fair.out_of_order, fair.max_displacement) == (0, 0)
    assert figures.too_many == 0
    # The limiter paces one message every 1/30 s: 40 cannot all arrive within a second.
    assert fair.spread >= 0.9 * fair.ideal_spread
    assert figures.peak is not None
    assert figures.peak > 0


def test_the_fairness_figures_see_a_lost_a_repeated_and_a_late_recipient() -> None:
    arrivals = [(0.0, 1), (0.1, 3), (0.2, 2), (0.3, 3), (0.4, 5), (0.5, 99)]
    fair = broadcast.fairness([1, 2, 3, 4, 5], arrivals)
    assert (fair.reached, fair.lost, fair.duplicates) == (4, 1, 1)
    assert (fair.out_of_order, fair.max_displacement) == (1, 1)
    assert fair.spread == pytest.approx(0.4)
    assert fair.ideal_spread == pytest.approx(4 / 30)


def test_the_footprint_of_a_small_database_with_two_journeys(tmp_path: Path) -> None:
    figures = footprint.measure(tmp_path, 50, 200, 2, timeout=60)
    assert figures.problems == ""
    assert (figures.seeded.participants, figures.seeded.answers) == (50, 200)
    assert figures.submitted == figures.journeys == 2
    assert 0 < figures.startup < figures.journey_seconds + 60
    assert figures.peak is not None
    assert figures.peak_at_start is not None
    assert figures.peak >= figures.peak_at_start > 0
    assert figures.bare.peak is not None
    assert figures.bare.seconds > 0


def test_the_fake_bot_api_answers_429_over_telegrams_limits() -> None:
    def send(api: FakeBotApi, chat: int) -> tuple[int, dict[str, object]]:
        body = json.dumps({"chat_id": chat, "text": "hi"}).encode()
        request = urllib.request.Request(
            f"{api.base_url}/sendMessage", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())

    with FakeBotApi(overall=2, per_chat=1.0) as api:
        assert send(api, 1)[0] == 200
        status, answer = send(api, 1)  # the same chat within a second
        assert (status, answer["parameters"]) == (429, {"retry_after": 1})
        assert send(api, 2)[0] == 200
        assert send(api, 3)[0] == 429  # a third message within a second
        assert api.too_many == 2
        assert [chat for _, chat in api.delivered] == [1, 2]
