"""Faults on the connections to PostgreSQL and Redis (the servers themselves keep running).

The machine's PostgreSQL and Redis serve other stacks too, so only this stack's connections
are cut:

- PostgreSQL: `pg_terminate_backend` of every session on the stack's own two databases (back
  office and Rasa tracker store), as a database restart or a failover would end them;
- Redis: `CLIENT KILL` of every connection a process of the stack holds (found from the
  processes' sockets in /proc), as a Redis restart would.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import redis
from sqlalchemy import create_engine, make_url, text


def terminate_postgres_sessions(database_urls: Iterable[str]) -> int:
    """End every session on the given databases (on one server); returns how many."""
    urls = [make_url(url) for url in database_urls]
    names = [url.database for url in urls]
    admin = create_engine(urls[0].set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"
                ),
                {"names": names},
            ).scalar_one()
            return int(ended)
    finally:
        admin.dispose()


def process_group_members(group_ids: Iterable[int]) -> list[int]:
    """Every process whose process group is one of `group_ids` (a process and its workers)."""
    wanted = set(group_ids)
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) in wanted:  # fields after the name: state, ppid, pgrp ...
            members.append(int(entry.name))
    return members


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        for fd in fd_dir.iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def local_ports_to(port: int, pids: Iterable[int]) -> list[int]:
    """Local ports of the TCP connections from `pids` to `port` on this machine (IPv4)."""
    inodes = set().union(*(_socket_inodes(pid) for pid in pids))
    ports = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if inode in inodes and int(remote.split(":")[1], 16) == port:
            ports.append(int(local.split(":")[1], 16))
    return ports


def kill_redis_clients(redis_url: str, group_ids: Iterable[int]) -> int:
    """`CLIENT KILL` every connection the processes (groups) hold to Redis; returns how many."""
    client = redis.Redis.from_url(redis_url)
    try:
        server_port = int(client.connection_pool.connection_kwargs.get("port", 6379))
        killed = 0
        for local_port in local_ports_to(server_port, process_group_members(group_ids)):
            # The filter form answers how many it closed (0 when the client just left).
            address = f"127.0.0.1:{local_port}"
            killed += int(client.execute_command("CLIENT", "KILL", "ADDR", address))  # type: ignore[no-untyped-call]
        return killed
    finally:
        client.close()
