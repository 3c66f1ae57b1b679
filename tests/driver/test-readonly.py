#!/usr/bin/python3
"""Read-only access: a connection arriving on -sock-ro is read-only whatever
the client asked for. The client library believes it has a read-write
connection, so every mutating call reaches the daemon, which must refuse it
with VIR_ERR_OPERATION_DENIED (29) and change nothing."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
t = Tap(27)
d = Daemon()
d.start()
try:
    rw = libvirt.open(d.uri)
    rw.defineXML(domain_xml('ro1'))
    run = rw.defineXML(domain_xml('ro2'))
    run.create()
    cfg = sorted(os.listdir(d.config_dir()))

    ro = libvirt.open(d.uri_ro_socket)       # client thinks it is read-write
    dom = ro.lookupByName('ro1')
    rdom = ro.lookupByName('ro2')
    E = libvirt
    calls = [
        ('virDomainDefineXML', lambda: ro.defineXML(domain_xml('ro3'))),
        ('virDomainDefineXMLFlags', lambda: ro.defineXMLFlags(domain_xml('ro3'), 0)),
        ('virDomainCreateXML', lambda: ro.createXML(domain_xml('ro4'), 0)),
        ('virDomainCreate', lambda: dom.create()),
        ('virDomainCreateWithFlags', lambda: dom.createWithFlags(0)),
        ('virDomainUndefine', lambda: dom.undefine()),
        ('virDomainUndefineFlags', lambda: dom.undefineFlags(0)),
        ('virDomainSetAutostart', lambda: dom.setAutostart(1)),
        ('virDomainSetMetadata', lambda: dom.setMetadata(E.VIR_DOMAIN_METADATA_TITLE, 'x', None, None, 0)),
        ('virDomainShutdown', lambda: rdom.shutdown()),
        ('virDomainShutdownFlags', lambda: rdom.shutdownFlags(1)),
        ('virDomainReboot', lambda: rdom.reboot(0)),
        ('virDomainReset', lambda: rdom.reset(0)),
        ('virDomainSuspend', lambda: rdom.suspend()),
        ('virDomainResume', lambda: rdom.resume()),
        ('virDomainDestroy', lambda: rdom.destroy()),
        ('virDomainDestroyFlags', lambda: rdom.destroyFlags(0)),
        ('virDomainOpenConsole', lambda: rdom.openConsole(None, ro.newStream(0), 0)),
        ('virDomainGetXMLDesc with secure flag', lambda: rdom.XMLDesc(E.VIR_DOMAIN_XML_SECURE)),
        ('virConnectGetDomainCapabilities', lambda: ro.getDomainCapabilities(None, None, None, None, 0)),
    ]
    for name, fn in calls:
        try:
            fn()
            t.ok(False, '%s refused on the read-only socket' % name, 'call succeeded')
        except libvirt.libvirtError as e:
            t.ok(e.get_error_code() == E.VIR_ERR_OPERATION_DENIED and name in str(e),
                 '%s refused on the read-only socket' % name, '%d %s' % (e.get_error_code(), e))
    t.ok(rdom.state()[0] == E.VIR_DOMAIN_RUNNING and dom.state()[0] == E.VIR_DOMAIN_SHUTOFF,
         'no state changed', (rdom.state(), dom.state()))
    t.ok(sorted(os.listdir(d.config_dir())) == cfg and dom.autostart() == 0, 'no config changed')
    names = sorted(x.name() for x in ro.listAllDomains(0))
    t.ok(names == ['ro1', 'ro2'], 'listAllDomains works read-only', names)
    t.ok('<name>ro2</name>' in rdom.XMLDesc(0) and rdom.info()[0] == E.VIR_DOMAIN_RUNNING,
         'XMLDesc(0) and info() work read-only')
    # the client library's own read-only mode (virsh -r): refused as well
    ro2 = libvirt.openReadOnly(d.uri_ro_socket)
    try:
        ro2.lookupByName('ro2').destroy()
        t.ok(False, 'openReadOnly: destroy refused')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_OPERATION_DENIED, 'openReadOnly: destroy refused', e)
    # read-only flag on the read-write socket is honoured too
    ro3 = libvirt.openReadOnly(d.uri)
    t.ok(len(ro3.listAllDomains(0)) == 2, 'openReadOnly on the rw socket lists')
    t.ok(d.alive(), 'daemon still running')
    run.destroy()
finally:
    d.cleanup()
