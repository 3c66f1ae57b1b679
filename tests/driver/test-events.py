#!/usr/bin/python3
"""python3-libvirt: every lifecycle transition delivers the right event
type/detail, to callback (316/318) and legacy registrations alike."""
import os, queue, signal, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
libvirt.virEventRegisterDefaultImpl()

def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()

t = Tap(48)
d = Daemon()
d.start()
try:
    conn = libvirt.open(d.uri)
    events = queue.Queue()
    reboots = queue.Queue()
    legacy = queue.Queue()
    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                lambda c, dom, ev, det, o: events.put((dom.name(), ev, det)), None)
    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT,
                                lambda c, dom, o: reboots.put(dom.name()), None)
    conn.domainEventRegister(lambda c, dom, ev, det, o: legacy.put((dom.name(), ev, det)), None)

    def expect(name, ev, det, desc, q=events):
        try:
            got = q.get(timeout=10)
        except queue.Empty:
            got = None
        return t.ok(got == (name, ev, det), desc, 'got %r, expected %r' % (got, (name, ev, det)))

    E = libvirt
    dom = conn.defineXML(domain_xml('ev1', '22222222-2222-3333-4444-555555555555'))
    expect('ev1', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED, 'define: DEFINED/ADDED')
    expect('ev1', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED, 'legacy callback sees DEFINED/ADDED', legacy)
    conn.defineXML(domain_xml('ev1', '22222222-2222-3333-4444-555555555555'))
    expect('ev1', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_UPDATED, 'redefine: DEFINED/UPDATED')
    dom.create()
    expect('ev1', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'create: STARTED/BOOTED')
    t.ok(dom.state() == [E.VIR_DOMAIN_RUNNING, E.VIR_DOMAIN_RUNNING_BOOTED], 'state running (booted)', dom.state())
    dom.suspend()
    expect('ev1', E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 'suspend: SUSPENDED/PAUSED')
    dom.resume()
    expect('ev1', E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 'resume: RESUMED/UNPAUSED')
    dom.reset(0)
    try:
        got = reboots.get(timeout=10)
    except queue.Empty:
        got = None
    t.ok(got == 'ev1', 'reset: REBOOT event', got)
    dom.shutdown()
    expect('ev1', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 'guest power off: STOPPED/SHUTDOWN')
    t.ok(dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_SHUTDOWN], 'state shut off (shutdown)', dom.state())

    dom.createWithFlags(E.VIR_DOMAIN_START_PAUSED)
    expect('ev1', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'create paused: STARTED/BOOTED')
    expect('ev1', E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 'create paused: then SUSPENDED/PAUSED')
    t.ok(dom.state() == [E.VIR_DOMAIN_PAUSED, E.VIR_DOMAIN_PAUSED_USER], 'state paused (user)', dom.state())
    dom.destroy()
    expect('ev1', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED, 'destroy: STOPPED/DESTROYED')
    t.ok(dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_DESTROYED], 'state shut off (destroyed)', dom.state())

    # reboot: ACPI power button, guest powers off, tandem is started again
    dom.create()
    expect('ev1', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'create: STARTED/BOOTED again')
    id_before = dom.ID()
    dom.reboot(0)
    try:
        got = reboots.get(timeout=10)
    except queue.Empty:
        got = None
    t.ok(got == 'ev1', 'reboot: REBOOT event', got)
    time.sleep(0.5)
    t.ok(dom.state()[0] == E.VIR_DOMAIN_RUNNING and dom.ID() == id_before, 'reboot: still running, same id',
         (dom.state(), dom.ID(), id_before))

    # the VMM dies: STOPPED/FAILED, state crashed
    pid = d.guest_pids()[0]
    os.kill(pid, signal.SIGKILL)
    expect('ev1', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_FAILED, 'VMM killed: STOPPED/FAILED')
    t.ok(dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_CRASHED], 'state shut off (crashed)', dom.state())

    # undefine while running: becomes transient, vanishes when it stops
    dom.create()
    expect('ev1', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'start before undefine')
    dom.undefine()
    expect('ev1', E.VIR_DOMAIN_EVENT_UNDEFINED, E.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, 'undefine running: UNDEFINED/REMOVED')
    t.ok(dom.isActive() == 1 and dom.isPersistent() == 0, 'still running, now transient')
    dom.destroy()
    expect('ev1', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED, 'destroy transient: STOPPED/DESTROYED')
    try:
        conn.lookupByName('ev1')
        t.ok(False, 'transient domain gone after stop')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_NO_DOMAIN, 'transient domain gone after stop', e)

    # createXML: transient, with AUTODESTROY on a second connection
    c2 = libvirt.open(d.uri)
    c2.createXML(domain_xml('ev2'), E.VIR_DOMAIN_START_AUTODESTROY)
    expect('ev2', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'createXML: STARTED/BOOTED')
    c2.close()
    expect('ev2', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
           'AUTODESTROY: closing the connection destroys the domain')
    # a filter on one domain only
    conn.defineXML(domain_xml('ev3'))
    expect('ev3', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED, 'define ev3')
    d3 = conn.lookupByName('ev3')
    only = queue.Queue()
    cb = conn.domainEventRegisterAny(d3, E.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                     lambda c, dom, ev, det, o: only.put((dom.name(), ev, det)), None)
    conn.defineXML(domain_xml('ev4'))
    d3.create()
    expect('ev3', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'per-domain registration gets its domain', only)
    t.ok(only.empty(), 'per-domain registration filters other domains')
    conn.domainEventDeregisterAny(cb)
    d3.destroy()

    # guest-initiated: reboot with on_reboot=destroy/restart, triple fault, on_poweroff=restart
    def guest_cmd(dom, text):
        st = conn.newStream(0)
        dom.openConsole(None, st, E.VIR_DOMAIN_CONSOLE_FORCE)
        st.send(text.encode() + b'\r')
        return st
    time.sleep(0.3)
    while not events.empty():
        events.get()
    g1 = conn.defineXML(domain_xml('g1', extra='\n  <on_reboot>destroy</on_reboot>'))
    expect('g1', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED, 'define g1 (on_reboot destroy)')
    g1.create()
    expect('g1', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'start g1')
    guest_cmd(g1, 'reboot')
    expect('g1', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN,
           'guest reboot with on_reboot=destroy: STOPPED/SHUTDOWN')
    t.ok(g1.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_SHUTDOWN], 'state shut off (shutdown)', g1.state())
    g1.create()
    expect('g1', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'start g1 again')
    guest_cmd(g1, 'triplefault')
    expect('g1', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_CRASHED, 'triple fault: STOPPED/CRASHED')
    t.ok(g1.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_CRASHED], 'state shut off (crashed)', g1.state())
    g2 = conn.defineXML(domain_xml('g2', extra='\n  <on_poweroff>restart</on_poweroff>'))
    expect('g2', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED, 'define g2 (on_poweroff restart)')
    g2.create()
    expect('g2', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'start g2')
    while not reboots.empty():
        reboots.get()
    guest_cmd(g2, 'poweroff')
    try:
        got = reboots.get(timeout=10)
    except queue.Empty:
        got = None
    time.sleep(0.5)
    t.ok(got == 'g2' and g2.state()[0] == E.VIR_DOMAIN_RUNNING, 'power off with on_poweroff=restart: back up',
         (got, g2.state()))
    g2.destroy()
    expect('g2', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED, 'destroy g2')

    # virt-install's flow: createXML(install XML, on_reboot=destroy), defineXML(final XML) while it
    # runs, the guest reboots at the end of the install -> shut off (shutdown), create() boots final
    uuid = '66666666-2222-3333-4444-555555555555'
    inst = conn.createXML(domain_xml('vi', uuid, extra='\n  <on_reboot>destroy</on_reboot>'), 0)
    expect('vi', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED, 'virt-install: createXML starts')
    conn.defineXML(domain_xml('vi', uuid, extra='\n  <description>final</description>'))
    expect('vi', E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED,
           'virt-install: defineXML while running: DEFINED/ADDED')
    t.ok(inst.isPersistent() == 1 and 'final' in inst.XMLDesc(E.VIR_DOMAIN_XML_INACTIVE) and
         'final' not in inst.XMLDesc(0) and '<on_reboot>destroy' in inst.XMLDesc(0),
         'virt-install: persistent now; live XML = install, inactive XML = final')
    guest_cmd(inst, 'reboot')
    expect('vi', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN,
           'virt-install: install ends with a reboot: STOPPED/SHUTDOWN')
    t.ok(inst.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_SHUTDOWN],
         'virt-install: reason shutdown (so it boots the result)', inst.state())
    inst.create()
    t.ok('final' in inst.XMLDesc(0) and '<on_reboot>restart' in inst.XMLDesc(0),
         'virt-install: create() boots the final definition')
    inst.destroy()
    t.ok(d.alive(), 'daemon still running')
    conn.close()
finally:
    d.cleanup()
sys.exit(0)
