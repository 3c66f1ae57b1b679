#!/usr/bin/python3
"""kill -9 of the daemon while guests run and during a define/undefine
loop, then restart: running guests are re-attached (listed running, same
id, manageable), guests that died meanwhile are shut off, every config file
is complete, a second daemon on the same state refuses to start, autostart
runs once per host boot."""
import os, signal, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml, DAEMON

libvirt.registerErrorHandler(lambda *a: None, None)
E = libvirt
t = Tap(22)
d = Daemon()
d.start()

def alive(pid):
    """running (a zombie waiting for a non-reaping init counts as gone)"""
    try:
        stat = open('/proc/%d/stat' % pid).read()
    except OSError:
        return False
    return stat.rsplit(')', 1)[1].split()[0] not in ('Z', 'X')

def wait_state(dom, st, secs=5):
    end = time.time() + secs
    while time.time() < end:
        if dom.state() == st:
            return True
        time.sleep(0.05)
    return False

try:
    c = libvirt.open(d.uri)
    r1 = c.defineXML(domain_xml('r1'))
    r2 = c.defineXML(domain_xml('r2'))
    r1.create()
    r1.suspend()
    t1 = c.createXML(domain_xml('t1'), 0)
    ids = (r1.ID(), t1.ID())
    pids = d.guest_pids()
    c.close()
    d.kill9()
    t.ok(len(pids) == 2 and all(alive(p) for p in pids), 'guests survive kill -9 of the daemon')

    d.start()
    c = libvirt.open(d.uri)
    r1, r2, t1 = (c.lookupByName(n) for n in ('r1', 'r2', 't1'))
    t.ok(r1.state()[0] == E.VIR_DOMAIN_PAUSED and r1.ID() == ids[0], 'r1 re-attached: paused, same id',
         (r1.state(), r1.ID(), ids))
    t.ok(t1.state()[0] == E.VIR_DOMAIN_RUNNING and t1.ID() == ids[1] and not t1.isPersistent(),
         't1 re-attached: running, transient, same id')
    t.ok(r2.state()[0] == E.VIR_DOMAIN_SHUTOFF, 'r2 still shut off')
    names = sorted(x.name() for x in c.listAllDomains(E.VIR_CONNECT_LIST_DOMAINS_ACTIVE))
    t.ok(names == ['r1', 't1'], 'list --state-running after restart', names)
    r1.resume()
    t.ok(r1.state() == [E.VIR_DOMAIN_RUNNING, E.VIR_DOMAIN_RUNNING_UNPAUSED], 'r1 manageable: resume')
    r1.shutdown()
    t.ok(wait_state(r1, [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_SHUTDOWN]),
         're-attached guest powers off: shut off (shutdown)', r1.state())
    t1.destroy()
    try:
        c.lookupByName('t1')
        t.ok(False, 'destroyed transient re-attached domain is gone')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_NO_DOMAIN, 'destroyed transient re-attached domain is gone')
    t.ok(not any(alive(p) for p in pids), 'their VMM processes are gone')
    r1.create()
    t.ok(r1.ID() > max(ids), 'new ids stay above re-attached ones', (r1.ID(), ids))

    # a guest that dies while the daemon is down
    r2.create()
    pid2 = [p for p in d.guest_pids() if p not in pids]
    c.close()
    d.kill9()
    for p in d.guest_pids():
        os.kill(p, signal.SIGKILL)
    time.sleep(0.2)
    d.start()
    c = libvirt.open(d.uri)
    st = [c.lookupByName(n).state() for n in ('r1', 'r2')]
    t.ok(st == [[E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_UNKNOWN]] * 2,
         'guests that died meanwhile: shut off (unknown)', st)
    t.ok(not [f for f in os.listdir(os.path.join(d.root, 'run', 'tandem')) if f.endswith('.xml')],
         'their status files are gone')

    # a second daemon on the same state directory
    p = subprocess.run([DAEMON, '--root', d.root, '--tandem', d.tandem], capture_output=True, timeout=10)
    t.ok(p.returncode != 0 and b'already manages' in p.stderr, 'second daemon refuses (pidfile lock)', p)

    # kill -9 during a define/undefine loop
    stop = threading.Event()
    def churn():
        cc = libvirt.open(d.uri)
        i = 0
        while not stop.is_set():
            try:
                dom = cc.defineXML(domain_xml('loop%d' % (i % 7), extra='\n  <description>%s</description>' % ('x' * 2000)))
                if i % 2:
                    dom.undefine()
            except libvirt.libvirtError:
                return
            i += 1
    th = threading.Thread(target=churn)
    th.start()
    time.sleep(0.7)
    d.kill9()
    stop.set()
    th.join(10)
    d.start()
    c = libvirt.open(d.uri)
    cfgdir = d.config_dir()
    files = sorted(f[:-4] for f in os.listdir(cfgdir) if f.endswith('.xml'))
    listed = sorted(x.name() for x in c.listAllDomains(0))
    t.ok(files == listed, 'every config file loads: files match the domain list', (files, listed))
    broken = []
    for f in files:
        text = open(os.path.join(cfgdir, f + '.xml')).read()
        if not text.rstrip().endswith('</domain>') or ('<name>%s</name>' % f) not in text:
            broken.append(f)
    t.ok(not broken, 'every config file complete', broken)
    t.ok(all(c.lookupByName(n).state()[0] == E.VIR_DOMAIN_SHUTOFF for n in listed if n.startswith('loop')),
         'loop domains usable after restart')

    # autostart once per host boot
    r2 = c.lookupByName('r2')
    r2.setAutostart(1)
    t.ok(os.path.islink(os.path.join(cfgdir, 'autostart', 'r2.xml')), 'autostart symlink created')
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    t.ok(c.lookupByName('r2').state()[0] == E.VIR_DOMAIN_SHUTOFF, 'no autostart on a daemon restart in the same boot')
    c.close()
    d.stop()
    os.unlink(os.path.join(d.root, 'run', 'tandem', 'autostarted'))   # as after a host reboot
    d.start()
    c = libvirt.open(d.uri)
    r2 = c.lookupByName('r2')
    t.ok(wait_state(r2, [E.VIR_DOMAIN_RUNNING, E.VIR_DOMAIN_RUNNING_BOOTED]), 'autostart after a host boot', r2.state())
    t.ok(r2.autostart() == 1, 'autostart flag reloaded')
    r2.destroy()
    c.close()
    d.stop()
    t.ok(not os.path.exists(d.sock), 'clean stop removes the socket')
    t.ok(True, 'done')
finally:
    d.cleanup()
