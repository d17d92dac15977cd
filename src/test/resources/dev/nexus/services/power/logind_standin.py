#!/usr/bin/python3
"""A stand-in for systemd-logind on a private bus, for the sleep/wake tests.

Owns org.freedesktop.login1, implements org.freedesktop.login1.Manager.Inhibit (a real fd: the write
end of a pipe whose read end stays here, so a lock counts as held until every copy of the fd the
client got is closed, as with logind's FIFOs) and emits PrepareForSleep(b) when told.

Driven over stdin, one command per line; each gets exactly one reply line on stdout:
  held              -> "held N"        delay locks still held
  inhibits          -> "inhibits N"    Inhibit calls answered so far
  sleep MILLIS      -> emits PrepareForSleep(true), then, like logind, waits until every delay lock
                       held at that moment is released, or MILLIS pass:
                       "released MS" or "timeout MS" (MS: how long it waited)
  wake              -> emits PrepareForSleep(false): "ok"
  quit              -> "bye", exits
The first line it prints is "ready UNIQUE_NAME" once it owns the name.
The bus address comes from DBUS_SYSTEM_BUS_ADDRESS.
"""
import os
import select
import sys
import time

import dbus
import dbus.service
import dbus.mainloop.glib
from gi.repository import GLib

NAME = "org.freedesktop.login1"
PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"


def reply(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Inhibitor:
    def __init__(self, what, who, why, mode, sender, read_fd):
        self.what, self.who, self.why, self.mode, self.sender = what, who, why, mode, sender
        self.read_fd = read_fd

    def held(self):
        """A pipe's read end reports HUP once no write end is left open anywhere."""
        if self.read_fd < 0:
            return False
        poller = select.poll()
        poller.register(self.read_fd, select.POLLIN | select.POLLHUP)
        for _, events in poller.poll(0):
            if events & select.POLLHUP:
                os.close(self.read_fd)
                self.read_fd = -1
                return False
        return True


class Manager(dbus.service.Object):
    def __init__(self, connection):
        super().__init__(connection, PATH)
        self.inhibitors = []
        self.inhibit_calls = 0

    @dbus.service.method(MANAGER, in_signature="ssss", out_signature="h", sender_keyword="sender")
    def Inhibit(self, what, who, why, mode, sender=None):
        if mode not in ("block", "delay"):
            raise dbus.exceptions.DBusException("invalid mode " + mode,
                                                name="org.freedesktop.DBus.Error.InvalidArgs")
        read_fd, write_fd = os.pipe()
        self.inhibitors.append(Inhibitor(what, who, why, mode, sender, read_fd))
        self.inhibit_calls += 1
        fd = dbus.types.UnixFd(write_fd)  # dbus-python keeps its own copy until the reply is sent
        os.close(write_fd)
        return fd

    @dbus.service.signal(MANAGER, signature="b")
    def PrepareForSleep(self, start):
        pass

    def held_delay_locks(self):
        return [i for i in self.inhibitors if i.mode == "delay" and "sleep" in i.what.split(":") and i.held()]


def main():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    manager = Manager(bus)
    loop = GLib.MainLoop()

    def await_release(started, deadline, waiting_for):
        if not any(i.held() for i in waiting_for):
            reply("released %d" % int((time.monotonic() - started) * 1000))
            return False
        if time.monotonic() >= deadline:
            reply("timeout %d" % int((time.monotonic() - started) * 1000))
            return False
        return True

    def on_command(source, condition):
        line = sys.stdin.readline()
        if not line:
            loop.quit()
            return False
        words = line.split()
        if not words:
            return True
        command = words[0]
        if command == "held":
            reply("held %d" % len(manager.held_delay_locks()))
        elif command == "inhibits":
            reply("inhibits %d" % manager.inhibit_calls)
        elif command == "sleep":
            limit = int(words[1]) / 1000.0 if len(words) > 1 else 5.0
            waiting_for = manager.held_delay_locks()
            started = time.monotonic()
            manager.PrepareForSleep(True)
            GLib.timeout_add(2, await_release, started, started + limit, waiting_for)
        elif command == "wake":
            manager.PrepareForSleep(False)
            reply("ok")
        elif command == "quit":
            reply("bye")
            loop.quit()
            return False
        else:
            reply("error unknown command " + command)
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_command)
    reply("ready " + bus.get_unique_name())
    loop.run()
    del name


if __name__ == "__main__":
    main()
