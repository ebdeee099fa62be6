#!/usr/bin/env python3
"""Usage: proxy.py PORT-FILE HOST PORT

A TCP proxy on loopback for the partition test (partition.sh): listens
on 127.0.0.1 on a free port (written to PORT-FILE, whole, by rename)
and relays each connection to HOST:PORT. Signals make the partition:
  SIGUSR1  drop: nothing is relayed any more either way (as a network
           that drops every packet: the bytes wait in the sockets'
           buffers, and the peers see silence), new connections are
           accepted and left silent too;
  SIGHUP   cut: every connection is closed with a reset (RST), and each
           new one too, as a partition that outlasts TCP's patience, or a
           firewall that rejects, does;
  SIGUSR2  heal: relaying resumes (as TCP resends what was dropped once
           the network is back, nothing lost), new connections relayed.
"""
import asyncio
import os
import signal
import socket
import struct
import sys

port_file, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
healed = asyncio.Event()
healed.set()
conns = set()
refusing = False


def rst(w):
    sock = w.get_extra_info('socket')
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack('ii', 1, 0))
    w.transport.abort()


def cut():
    global refusing
    refusing = True
    for w in list(conns):
        rst(w)
    conns.clear()


def heal():
    global refusing
    refusing = False
    healed.set()


async def pipe(r, w):
    try:
        while True:
            await healed.wait()
            data = await r.read(65536)
            if not data:
                break
            await healed.wait()
            w.write(data)
            await w.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        conns.discard(w)
        w.transport.abort()


async def serve(cr, cw):
    if refusing:
        rst(cw)
        return
    try:
        ur, uw = await asyncio.open_connection(host, port)
    except OSError:
        cw.transport.abort()
        return
    conns.add(cw)
    conns.add(uw)
    await asyncio.gather(pipe(cr, uw), pipe(ur, cw))


async def main():
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, healed.clear)
    loop.add_signal_handler(signal.SIGUSR2, heal)
    loop.add_signal_handler(signal.SIGHUP, cut)
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    with open(port_file + '.new', 'w') as f:
        f.write('%d\n' % server.sockets[0].getsockname()[1])
    os.rename(port_file + '.new', port_file)
    async with server:
        await server.serve_forever()

asyncio.run(main())
