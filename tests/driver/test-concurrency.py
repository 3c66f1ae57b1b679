#!/usr/bin/python3
"""50 concurrent connections list and look up domains while guests start
and stop: every call answers correctly, nothing hangs, the daemon survives."""
import os, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
N = 50
t = Tap(6)
d = Daemon()
d.start()
try:
    admin = libvirt.open(d.uri)
    doms = [admin.defineXML(domain_xml('cc%d' % i)) for i in range(4)]
    stop = threading.Event()
    errors = []
    counts = [0] * N
    ready = threading.Barrier(N + 1)

    def client(i):
        try:
            c = libvirt.open(d.uri)
        except libvirt.libvirtError as e:
            errors.append('open %d: %s' % (i, e))
            ready.wait()
            return
        ready.wait()
        try:
            while not stop.is_set():
                names = sorted(x.name() for x in c.listAllDomains(0))
                if names != ['cc0', 'cc1', 'cc2', 'cc3']:
                    errors.append('client %d listed %r' % (i, names))
                dom = c.lookupByName('cc%d' % (i % 4))
                st = dom.state()[0]
                if st not in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_SHUTOFF):
                    errors.append('client %d: state %d' % (i, st))
                dom.info()
                counts[i] += 1
        except libvirt.libvirtError as e:
            errors.append('client %d: %s' % (i, e))
        finally:
            c.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(N)]
    for th in threads:
        th.start()
    ready.wait()
    cycles = 0
    t0 = time.time()
    try:
        while time.time() - t0 < 8:
            for dom in doms:
                dom.create()
            for dom in doms:
                dom.destroy()
            cycles += 1
    except libvirt.libvirtError as e:
        errors.append('lifecycle: %s' % e)
    stop.set()
    for th in threads:
        th.join(30)
    t.ok(not any(th.is_alive() for th in threads), '%d clients finished (no hang)' % N)
    t.ok(not errors, 'no wrong answer or error', '\n'.join(errors[:10]))
    t.ok(all(c > 0 for c in counts), 'every client made progress (min %d calls)' % min(counts))
    t.ok(cycles >= 2, 'guests started and stopped %d times meanwhile' % cycles)
    t.ok(all(x.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF for x in doms), 'all shut off at the end')
    t.ok(d.alive() and not d.guest_pids(), 'daemon alive, no stray VMM')
finally:
    d.cleanup()
