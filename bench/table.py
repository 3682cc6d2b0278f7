"""The one table `make bench` prints: each figure, what it reached, the issue's target, and whether it met it."""

from __future__ import annotations


def _n(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f} ms"


def _met(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


SERVICES = ("intake", "coding", "submission", "remittance", "denials")


def service_cpu_ms(run: dict) -> float:
    """Service CPU per claim, summed over the five services' processes (api and worker halves alike)."""
    return sum(v for k, v in run["cpu_ms_per_claim"].items() if k.split("-")[0] in SERVICES)


def _lifecycle_rows(name: str, run: dict, targets: bool = True) -> list[tuple[str, str, str, str]]:
    rate = run["claims_per_second"]
    completed = f"{run['completed']:,}/{run['accepted']:,} done"
    cpu = service_cpu_ms(run)
    return [
        (f"{name}: claims/s end to end ({completed}, offered {_n(run['offered_rate'])}/s "
         f"for {run['seconds']:.0f} s)", _n(rate, digits=1), ">= 250" if targets else "",
         _met(rate is not None and rate >= 250) if targets else ""),
        (f"{name}: encounter -> submitted p50 / p99", f"{_ms(run['submitted_p50'])} / {_ms(run['submitted_p99'])}",
         "", ""),
        (f"{name}: encounter -> posted p50 / p99 (SIMPAY)", f"{_ms(run['posted_p50'])} / {_ms(run['posted_p99'])}",
         "", ""),
        (f"{name}: POST /v1/encounters answered p50 / p99 (load generator, from schedule)",
         f"{_ms(run['request_p50'])} / {_ms(run['request_p99'])}; refused {run['refused'] or 'none'}", "", ""),
        (f"{name}: service CPU per claim, summed", f"{cpu:.1f} ms", "<= 5 ms" if targets else "",
         _met(cpu <= 5) if targets else ""),
        (f"{name}: CPU per claim by process", ", ".join(f"{k} {v:.1f}" for k, v in
                                                         sorted(run["cpu_ms_per_claim"].items())) + " (ms)", "", ""),
    ]


def _wrk_row(name: str, wrk: dict) -> tuple[str, str, str, str]:
    rps = wrk["requests_per_second"]
    return (f"{name}, wrk -t{wrk['threads']} -c{wrk['connections']} ({wrk['non_2xx']} non-2xx)",
            f"{_n(rps, '/s')}, p50 {wrk['p50_ms']:.0f} ms, p99 {wrk['p99_ms']:.0f} ms", ">= 1,500/s, p99 < 50 ms",
            _met(rps >= 1500 and wrk["p99_ms"] < 50))


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, reached, target, met) for every figure present in results."""
    found: list[tuple[str, str, str, str]] = []
    if "lifecycle" in results:
        found += _lifecycle_rows("lifecycle, one process per service", results["lifecycle"])
    if "latency" in results:
        run = results["latency"]
        found.append((f"latency run: encounter -> submitted p99 at {run['offered_rate']:.0f}/s offered "
                      f"({run['completed']:,}/{run['accepted']:,} done)", _ms(run["submitted_p99"]), "< 2 s at 200/s",
                      # the target is set at 200/s: a lower offer can show it missed, never met
                      _met(run["submitted_p99"] is not None and run["submitted_p99"] < 2)
                      if run["offered_rate"] >= 199 or not run["submitted_p99"] or run["submitted_p99"] >= 2
                      else "not at 200/s"))
    if "intake" in results:
        found.append(_wrk_row("intake POST /v1/encounters, one process with its workers and the pipeline running",
                              results["intake"]))
    if "intake_api_alone" in results:
        found.append(_wrk_row("intake POST /v1/encounters, API process (workers in another)",
                              results["intake_api_alone"]))
    if "era" in results:
        era = results["era"]
        rates = {p["peer"]: (p["claims"] / p["wall_seconds"] if p.get("claims") else None,
                             p["claims"] / p["cpu_seconds"] if p.get("claims") and p.get("cpu_seconds") else None)
                 for p in era["parse"]}
        for peer, (wall, cpu) in rates.items():
            note = next((" (timed out)" if p.get("timed_out") else " (failed)" if p.get("error") else "")
                        for p in era["parse"] if p["peer"] == peer)
            found.append((f"835 parse, {era['claims']:,}-claim file: {peer}{note}",
                          f"{_n(wall, ' claims/s')} wall, {_n(cpu, ' claims/s')} CPU", "", ""))
        ours = rates["claimline"][1]
        peers = [cpu for peer, (_wall, cpu) in rates.items() if peer != "claimline" and cpu]
        ratio = ours / max(peers) if ours and peers else None
        found.append(("835 parse: claimline / faster peer (CPU time)", _n(ratio, "x", 1), ">= 10x",
                      _met(None if ratio is None else ratio >= 10)))
        post = era["post"]
        rate = post["claims"] / post["wall_seconds"]
        found.append((f"835 post via remittance's service layer, {post['claims']:,} claims ({post['outcome']})",
                      f"{_n(rate, ' claims/s')} wall, "
                      f"{_n(post['claims'] / post['cpu_seconds'] if post['cpu_seconds'] else None, ' claims/s')} "
                      "CPU of the bench process", ">= 2,000/s", _met(rate >= 2000)))
    if "replay" in results:
        replay = results["replay"]
        after = replay["events_per_second_after_ready"]
        found.append((f"replay: intake.timeline rebuilt from the log ({replay['events_replayed']:,} events"
                      f"{'' if replay['complete'] else ', incomplete'})",
                      f"{_n(replay['events_per_second'], ' events/s')} incl. start-up, "
                      f"{_n(after, ' events/s')} after ready", ">= 5,000/s", _met(after is not None and after >= 5000)))
    if "split" in results:
        found += _lifecycle_rows("lifecycle, each service as an API and a worker process", results["split"],
                                 targets=False)
    return found


def print_table(results: dict) -> None:
    """The table as aligned plain text, with the load average beside it (figures under load are lower)."""
    table = [("figure", "reached", "target", "met"), *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for index, row in enumerate(table):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("-+-".join("-" * width for width in widths))
    start, end = results.get("load_average_at_start"), results.get("load_average_at_end")
    if start:
        print(f"\nload average (1 min) at start {start[0]:.1f}, at end {end[0] if end else float('nan'):.1f}")
