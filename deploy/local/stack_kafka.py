"""Apache Kafka, one KRaft node (broker and controller), from Maven Central jars, data under the run dir."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import stack_process

HERE = Path(__file__).resolve().parent
# Shared by every run dir (make up's and make test's): the jars do not change with the data.
LIBS = HERE.parents[1] / ".run" / "cache" / "kafka-libs"


def ensure_jars() -> Path:
    """Fetch the pinned Kafka jars once (Maven keeps them in ~/.m2 after the first download)."""
    libs = LIBS
    marker = libs / ".complete"
    if marker.exists():
        return libs
    libs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mvn", "-q", "-B", "-f", str(HERE / "kafka" / "pom.xml"), "dependency:copy-dependencies",
                    f"-DoutputDirectory={libs}"], check=True)
    marker.write_text("ok")
    return libs


def java_command(libs: Path, main_class: str, *args: str, heap: str = "768m") -> list[str]:
    java = shutil.which("java") or "java"
    return [java, f"-Xmx{heap}", "-XX:+UseG1GC", f"-Dlog4j2.configurationFile={HERE / 'kafka' / 'log4j2.yaml'}",
            "-cp", f"{libs}/*", main_class, *args]


def write_config(run_dir: Path, port: int, controller_port: int) -> Path:
    data = run_dir / "kafka" / "data"
    config = run_dir / "kafka" / "server.properties"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={data}",
        "num.partitions=6",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.check.interval.ms=300000",
        "",
    ]))
    return config


def up(run_dir: Path, port: int, controller_port: int) -> None:
    """Start the broker unless it runs; format its storage on first start."""
    if stack_process.pid_of(run_dir, "kafka"):
        stack_process.wait_for_port(port, 60, "kafka")
        return
    libs = ensure_jars()
    config = write_config(run_dir, port, controller_port)
    data = run_dir / "kafka" / "data"
    if not (data / "meta.properties").exists():
        cluster_id = subprocess.run(java_command(libs, "kafka.tools.StorageTool", "random-uuid", heap="128m"),
                                    check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        subprocess.run(java_command(libs, "kafka.tools.StorageTool", "format", "-t", cluster_id,
                                    "-c", str(config), heap="256m"), check=True, capture_output=True)
    stack_process.start(run_dir, "kafka", java_command(libs, "kafka.Kafka", str(config)), dict(os.environ),
                        run_dir)
    stack_process.wait_for_port(port, 90, "kafka")
