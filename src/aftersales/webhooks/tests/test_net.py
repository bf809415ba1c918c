"""RELIABILITY S08: webhook URLs cannot reach inside. Every case runs against a real canary
server on 127.0.0.1 that must see no request at all."""

import ipaddress

import pytest

from aftersales.webhooks import net

BODY = b'{"event":"ping"}'


def _post(url: str, *, allow_private: bool = False) -> net.Answer:
    return net.post(
        url, body=BODY, headers={"Content-Type": "application/json"}, allow_private=allow_private
    )


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/",
        "http://[::1]:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0x7f000001:{port}/",
        "http://2130706433:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://localhost:{port}/",
        "http://0.0.0.0:{port}/",
        "http://10.0.0.5/",
        "http://192.168.1.20/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_GET",
        "ftp://127.0.0.1:{port}/",
        "http://user:secret@127.0.0.1:{port}/",
        "http:///nohost",
        "http://127.0.0.1:99999/",
    ],
)
def test_internal_and_odd_urls_are_blocked_before_any_connection(template, canary):
    with pytest.raises(net.Blocked):
        _post(template.format(port=canary.port))
    assert canary.hits == []


def test_a_name_that_resolves_to_loopback_is_blocked_after_resolution(canary, dns):
    dns["hooks.example.test"] = ["127.0.0.1"]
    with pytest.raises(net.Blocked, match=r"127\.0\.0\.1"):
        _post(canary.url(host="hooks.example.test"))
    assert canary.hits == []


def test_a_name_with_one_internal_answer_among_public_ones_is_blocked(canary, dns):
    dns["mixed.example.test"] = ["93.184.215.14", "127.0.0.1"]
    with pytest.raises(net.Blocked):
        _post(canary.url(host="mixed.example.test"))
    assert canary.hits == []


def test_the_metadata_address_stays_blocked_where_private_addresses_are_allowed():
    with pytest.raises(net.Blocked):
        _post("http://169.254.169.254/latest/meta-data/", allow_private=True)
    assert not net.address_allowed(ipaddress.ip_address("169.254.169.254"), allow_private=True)
    assert net.address_allowed(ipaddress.ip_address("10.1.2.3"), allow_private=True)


@pytest.mark.parametrize("location", ["http://127.0.0.1:{port}/", "http://localhost:{port}/x"])
def test_a_redirect_to_loopback_is_blocked_at_that_hop(outside, canary, location):
    outside.answers = [(302, {"Location": location.format(port=canary.port)}, b"")]
    with pytest.raises(net.Blocked):
        _post(outside.url())
    assert len(outside.hits) == 1  # the public hop was called
    assert canary.hits == []


def test_a_redirect_to_a_name_resolving_inside_is_blocked(outside, canary, dns):
    dns["internal.example.test"] = ["127.0.0.1"]
    outside.answers = [(307, {"Location": canary.url(host="internal.example.test")}, b"")]
    with pytest.raises(net.Blocked):
        _post(outside.url())
    assert canary.hits == []


def test_allowed_redirects_are_followed_with_the_same_body(receiver):
    other = receiver.url("/final")
    receiver.answers = [(308, {"Location": other}, b""), (204, {}, b"")]
    answer = _post(receiver.url("/first"), allow_private=True)
    assert answer.status == 204
    assert [h.path for h in receiver.hits] == ["/first", "/final"]
    assert receiver.hits[1].body == BODY


def test_too_many_redirects_are_refused(receiver, settings):
    settings.WEBHOOK_MAX_REDIRECTS = 2
    receiver.answers = [(302, {"Location": "/again"}, b"")]
    with pytest.raises(net.Blocked, match="redirects"):
        _post(receiver.url(), allow_private=True)
    assert len(receiver.hits) == 3


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(receiver, dns):
    # The resolver is asked once per hop; the socket goes to that answer, so a second DNS
    # answer (rebinding) cannot move the request elsewhere.
    dns["hooks.example.test"] = ["127.0.0.1"]
    answer = _post(receiver.url(host="hooks.example.test"), allow_private=True)
    assert answer.status == 200
    assert receiver.hits[0].headers["Host"] == f"hooks.example.test:{receiver.port}"


def test_an_unresolvable_name_is_refused():
    with pytest.raises(net.Blocked, match="does not resolve"):
        _post("http://nowhere.example.test/hook")


def test_only_the_start_of_a_long_answer_is_read(receiver):
    receiver.answers = [(200, {}, b"x" * 100_000)]
    answer = _post(receiver.url(), allow_private=True)
    assert len(answer.excerpt) == net.EXCERPT_BYTES


def test_an_internationalised_name_is_resolved_and_sent_in_its_ascii_form(receiver, dns):
    dns["xn--fiqs8s.example.test"] = ["127.0.0.1"]
    answer = _post(receiver.url(host="中国.example.test"), allow_private=True)
    assert answer.status == 200
    assert receiver.hits[0].headers["Host"] == f"xn--fiqs8s.example.test:{receiver.port}"
