"""Whether a process a record names (host, boot, PID, start) still runs on this machine: /proc's view."""

from __future__ import annotations


def process_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) of a process, from /proc/PID/stat; None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rpartition(")")[2].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


def process_start(pid: int) -> str | None:
    """The kernel's start time of a process (field 22 of /proc/PID/stat): tells a reused PID apart."""
    stat = process_stat(pid)
    return stat[1] if stat else None


def boot_id() -> str | None:
    """This boot's id: start ticks count from boot, so a PID and its tick can come back after a reboot."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip() or None
    except OSError:
        return None
