"""Where an outbound webhook may go: a public address over HTTPS, never the machine or the network it runs on.

A tenant chooses the URL, so without these rules a webhook is a way to make intake POST to its own
loopback, to the private network behind it, or to the cloud's metadata service (instance
credentials). The rules apply to the addresses a name resolves to at send time, and the sender
connects to the address it checked (no second lookup that could answer differently).

Refused everywhere: unspecified, link-local (169.254.0.0/16 and fe80::/10, where the metadata services
live), multicast and the cloud metadata addresses. Refused outside development: loopback, private
(RFC 1918, fc00::/7), shared CGNAT space (100.64.0.0/10), reserved and anything else that is not
globally routable, names that always mean this machine (localhost), and any scheme but https. In
development (the local stack, the tests) a receiver on 127.0.0.1 over http is what the tests run,
so loopback, private and http are allowed there.
An IPv6 address that embeds an IPv4 one (v4-mapped, 6to4, NAT64) is judged by the IPv4 address.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

from shared.errors import DomainError

IPAddress = IPv4Address | IPv6Address
# AWS (IMDS, its IPv6 endpoint, ECS task metadata), GCP and Azure (169.254.169.254), Alibaba,
# Oracle, Azure's wire server: answered by the platform itself, and some are not link-local.
METADATA_ADDRESSES = frozenset(ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192", "168.63.129.16"))
SHARED_ADDRESS_SPACE = ip_network("100.64.0.0/10")  # carrier-grade NAT: not global, not "private" to Python
NAT64 = ip_network("64:ff9b::/96")
LOCAL_NAME_SUFFIXES = (".localhost", ".localdomain")  # RFC 6761: names that always mean this machine


class WebhookTargetRefused(DomainError):
    """An outbound webhook URL or address we will not send to; says which rule, never more of the URL."""


@dataclass(frozen=True)
class TargetRules:
    """development: loopback, private addresses and plain http allowed (the local stack and tests only)."""

    development: bool = False


def embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (v4-mapped, 6to4, NAT64), else the address itself."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64:
            return IPv4Address(int(address) & 0xFFFF_FFFF)
    return address


def address_refusal(address: IPAddress, rules: TargetRules) -> str | None:
    """Why a webhook may not connect to this address (a class of address, not the address), or None."""
    address = embedded_ipv4(address)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    local = address.is_loopback or address.is_private or address in SHARED_ADDRESS_SPACE
    if rules.development and local:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address in SHARED_ADDRESS_SPACE:
        return "a shared (carrier-grade NAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def check_address(address: str, rules: TargetRules) -> None:
    """Raise WebhookTargetRefused unless a webhook may connect to this resolved address."""
    reason = address_refusal(ip_address(address), rules)
    if reason is not None:
        raise WebhookTargetRefused(f"the endpoint's host resolves to {reason}")


def check_url(url: str, rules: TargetRules) -> None:
    """What can be judged without a lookup: the scheme, a literal address, a name that is always local."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (rules.development and parts.scheme == "http"):
        raise WebhookTargetRefused("the endpoint URL must be https")
    host = (parts.hostname or "").rstrip(".").lower()
    if not rules.development and (host == "localhost" or host.endswith(LOCAL_NAME_SUFFIXES)):
        raise WebhookTargetRefused("the endpoint's host is a local name")
    try:
        literal = ip_address(host)
    except ValueError:
        return  # a name: judged by what it resolves to when a webhook is sent
    reason = address_refusal(literal, rules)
    if reason is not None:
        raise WebhookTargetRefused(f"the endpoint's host is {reason}")
