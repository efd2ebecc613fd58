"""One client-slot rule for every client: one per process, rebuilt when its settings change or after
a fork."""

import os
import threading
from dataclasses import dataclass

import pytest

from integrations.kit import ClientSlot


@dataclass(frozen=True)
class Settings:
    url: str


class Client:
    def __init__(self, settings: Settings):
        self.settings = settings


def slot_for(current: list[Settings]) -> ClientSlot:
    return ClientSlot(Client, lambda: current[0])


def test_it_keeps_one_client_while_the_settings_stay():
    current = [Settings("https://a.example")]
    slot = slot_for(current)
    assert slot.get() is slot.get()


def test_it_builds_anew_when_the_settings_change_and_after_reset():
    current = [Settings("https://a.example")]
    slot = slot_for(current)
    first = slot.get()
    current[0] = Settings("https://b.example")
    second = slot.get()
    assert second is not first and second.settings.url == "https://b.example"
    slot.reset()
    assert slot.get() is not second


def test_threads_share_one_client():
    slot = slot_for([Settings("https://a.example")])
    barrier = threading.Barrier(8)
    seen = []

    def take():
        barrier.wait()
        seen.append(slot.get())

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len({id(client) for client in seen}) == 1


# The child only builds a client and leaves: no lock of another thread is taken there.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_builds_its_own_client():
    slot = slot_for([Settings("https://a.example")])
    parent_client = slot.get()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether it got the parent's client, then leave at once
        os.close(read)
        os.write(write, b"same" if slot.get() is parent_client else b"own")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"own"
    assert slot.get() is parent_client  # the parent keeps its own
