"""Which addresses and URLs an outbound webhook may go to, in production and in development."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from services.intake.domain.webhook_targets import (
    TargetRules,
    WebhookTargetRefused,
    address_refusal,
    check_address,
    check_url,
)

PRODUCTION, DEVELOPMENT = TargetRules(), TargetRules(development=True)

REFUSED_EVERYWHERE = [
    ("169.254.169.254", "a cloud metadata address"),  # AWS, GCP, Azure instance metadata
    ("fd00:ec2::254", "a cloud metadata address"),  # AWS IMDS over IPv6
    ("169.254.170.2", "a cloud metadata address"),  # ECS task metadata
    ("100.100.100.200", "a cloud metadata address"),  # Alibaba
    ("168.63.129.16", "a cloud metadata address"),  # Azure wire server (a public address!)
    ("169.254.1.1", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("fe80::1%eth0", "a link-local address"),
    ("224.0.0.251", "a multicast address"),
    ("ff02::1", "a multicast address"),
    ("0.0.0.0", "an unspecified address"),  # connects to this machine on Linux
    ("::", "an unspecified address"),
    ("::ffff:169.254.169.254", "a cloud metadata address"),  # v4-mapped
]
REFUSED_OUTSIDE_DEVELOPMENT = [
    ("127.0.0.1", "a loopback address"),
    ("127.9.9.9", "a loopback address"),
    ("::1", "a loopback address"),
    ("::ffff:127.0.0.1", "a loopback address"),  # v4-mapped
    ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
    ("64:ff9b::7f00:1", "a loopback address"),  # NAT64 of 127.0.0.1
    ("10.0.0.1", "a private address"),
    ("172.16.5.4", "a private address"),
    ("192.168.1.1", "a private address"),
    ("fc00::1", "a private address"),
    ("fd12:3456::1", "a private address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("100.127.255.254", "a shared (carrier-grade NAT) address"),
    ("198.18.0.1", "a private address"),  # benchmarking
    ("192.0.2.10", "a private address"),  # documentation
    ("240.0.0.1", "a reserved address"),
]
ALLOWED = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "reason"), REFUSED_EVERYWHERE)
def test_addresses_refused_even_in_development(address: str, reason: str) -> None:
    assert address_refusal(ip_address(address), PRODUCTION) == reason
    assert address_refusal(ip_address(address), DEVELOPMENT) == reason


@pytest.mark.parametrize(("address", "reason"), REFUSED_OUTSIDE_DEVELOPMENT)
def test_local_addresses_are_refused_outside_development_only(address: str, reason: str) -> None:
    assert address_refusal(ip_address(address), PRODUCTION) == reason
    assert address_refusal(ip_address(address), DEVELOPMENT) is None


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ip_address(address), PRODUCTION) is None
    check_address(address, PRODUCTION)


def test_a_refusal_names_the_class_of_address_not_the_address() -> None:
    with pytest.raises(WebhookTargetRefused) as refused:
        check_address("10.1.2.3", PRODUCTION)
    assert "private" in str(refused.value) and "10.1.2.3" not in str(refused.value)


@pytest.mark.parametrize(("url", "refusal"), [
    ("http://pms.example.com/hook", "must be https"),
    ("ftp://pms.example.com/hook", "must be https"),
    ("https://localhost/hook", "local name"),
    ("https://LOCALHOST./hook", "local name"),
    ("https://api.localhost:8443/hook", "local name"),
    ("https://localhost.localdomain/hook", "local name"),
    ("https://127.0.0.1:8443/hook", "loopback"),
    ("https://[::1]/hook", "loopback"),
    ("https://10.0.0.8/hook", "private"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://[fd00:ec2::254]/", "metadata"),
])
def test_urls_refused_in_production_without_a_lookup(url: str, refusal: str) -> None:
    with pytest.raises(WebhookTargetRefused, match=refusal):
        check_url(url, PRODUCTION)


@pytest.mark.parametrize("url", ["https://pms.example.com/claimline", "https://93.184.215.14:8443/hook"])
def test_https_urls_to_names_and_public_addresses_pass_in_production(url: str) -> None:
    check_url(url, PRODUCTION)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost:9000/", "https://10.0.0.8/"])
def test_development_allows_http_and_local_receivers(url: str) -> None:
    check_url(url, DEVELOPMENT)


def test_development_still_refuses_the_metadata_service() -> None:
    with pytest.raises(WebhookTargetRefused, match="metadata"):
        check_url("http://169.254.169.254/latest/meta-data/", DEVELOPMENT)
