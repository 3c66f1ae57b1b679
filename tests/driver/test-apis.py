#!/usr/bin/python3
"""Appendix A through python3-libvirt: host APIs, every LIST_ALL_DOMAINS
filter, the old list APIs, lookups, queries, metadata, vCPUs, XML flags."""
import os, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
E = libvirt
t = Tap(36)
d = Daemon()
d.start()

def validates(xml, schema):
    with tempfile.NamedTemporaryFile('w', suffix='.xml') as f:
        f.write(xml)
        f.flush()
        p = subprocess.run(['xmllint', '--noout', '--relaxng', '/usr/share/libvirt/schemas/' + schema, f.name],
                           capture_output=True, text=True)
        return p.returncode == 0, p.stderr

try:
    c = libvirt.open(d.uri)
    t.ok(c.getType() == 'TANDEM' and c.getVersion() == 1000 and c.getLibVersion() >= 9000000,
         'type, version, lib version', (c.getType(), c.getVersion()))
    t.ok(c.getHostname() == os.uname().nodename, 'hostname')
    t.ok(c.getURI().startswith('tandem'), 'uri', c.getURI())
    t.ok(c.isSecure() == 1 and c.isAlive() == 1, 'isSecure, isAlive')
    ok, err = validates(c.getCapabilities(), 'capability.rng')
    t.ok(ok and "<domain type='qemu'/>" in c.getCapabilities(), 'capabilities validate (capability.rng)', err)
    ok, err = validates(c.getDomainCapabilities(None, None, None, None, 0), 'domaincaps.rng')
    t.ok(ok, 'domain capabilities validate (domaincaps.rng)', err)
    info = c.getInfo()
    t.ok(info[0] == 'x86_64' and info[1] > 0 and info[2] == os.cpu_count(), 'nodeGetInfo', info)
    t.ok(c.getSecurityModel() == ['', ''], 'empty security model', c.getSecurityModel())
    t.ok(c.getFreeMemory() > 0 and c.getMaxVcpus(None) == 64, 'free memory, max vcpus')

    a = c.defineXML(domain_xml('a', '55555555-0000-0000-0000-000000000001'))    # running
    b = c.defineXML(domain_xml('b'))                                             # paused
    s = c.defineXML(domain_xml('s'))                                             # shut off, autostart
    a.create(); b.create(); b.suspend(); s.setAutostart(1)
    tr = c.createXML(domain_xml('tr'), 0)                                        # transient running
    F = lambda flags: sorted(x.name() for x in c.listAllDomains(flags))
    cases = [
        (0, ['a', 'b', 's', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_ACTIVE, ['a', 'b', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_INACTIVE, ['s']),
        (E.VIR_CONNECT_LIST_DOMAINS_ACTIVE | E.VIR_CONNECT_LIST_DOMAINS_INACTIVE, ['a', 'b', 's', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_PERSISTENT, ['a', 'b', 's']),
        (E.VIR_CONNECT_LIST_DOMAINS_TRANSIENT, ['tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_RUNNING, ['a', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_PAUSED, ['b']),
        (E.VIR_CONNECT_LIST_DOMAINS_SHUTOFF, ['s']),
        (E.VIR_CONNECT_LIST_DOMAINS_OTHER, []),
        (E.VIR_CONNECT_LIST_DOMAINS_RUNNING | E.VIR_CONNECT_LIST_DOMAINS_PAUSED, ['a', 'b', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, []),
        (E.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, ['a', 'b', 's', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_AUTOSTART, ['s']),
        (E.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, ['a', 'b', 'tr']),
        (E.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, []),
        (E.VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT | E.VIR_CONNECT_LIST_DOMAINS_PERSISTENT |
         E.VIR_CONNECT_LIST_DOMAINS_ACTIVE, ['a', 'b']),
        (E.VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT, []),
        (E.VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT | E.VIR_CONNECT_LIST_DOMAINS_TRANSIENT, ['tr']),
    ]
    bad = [(f, F(f), want) for f, want in cases if F(f) != want]
    t.ok(not bad, 'listAllDomains: all %d filter combinations' % len(cases), bad)
    t.ok(c.numOfDomains() == 3 and sorted(c.listDomainsID()) == sorted([a.ID(), b.ID(), tr.ID()]),
         'old API: numOfDomains, listDomainsID')
    t.ok(c.numOfDefinedDomains() == 1 and c.listDefinedDomains() == ['s'], 'old API: defined domains')
    t.ok(c.lookupByID(a.ID()).name() == 'a', 'lookupByID')
    t.ok(c.lookupByUUIDString('55555555-0000-0000-0000-000000000001').name() == 'a', 'lookupByUUID')
    try:
        c.lookupByID(9999)
        t.ok(False, 'lookupByID of a missing id')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_NO_DOMAIN and 'matching id 9999' in str(e), 'lookupByID of a missing id', e)
    t.ok(a.OSType() == 'hvm' and a.maxMemory() == 131072 and a.maxVcpus() == 1, 'OSType, maxMemory, maxVcpus')
    t.ok(a.info()[0] == E.VIR_DOMAIN_RUNNING and a.info()[1] == 131072 and a.info()[3] == 1, 'info', a.info())
    t.ok(a.vcpusFlags(0) == 1 and a.vcpusFlags(E.VIR_DOMAIN_VCPU_MAXIMUM) == 1, 'vcpusFlags')
    t.ok(a.hasManagedSaveImage(0) == 0 and a.snapshotNum(0) == 0 and a.listAllSnapshots(0) == [],
         'no managed save, no snapshots')
    t.ok(a.isActive() == 1 and a.isPersistent() == 1 and a.isUpdated() == 0 and tr.isPersistent() == 0,
         'isActive, isPersistent, isUpdated')
    t.ok(s.autostart() == 1 and a.autostart() == 0, 'autostart flags')
    try:
        tr.setAutostart(1)
        t.ok(False, 'autostart of a transient domain refused')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_OPERATION_INVALID, 'autostart of a transient domain refused', e)

    # metadata
    s.setMetadata(E.VIR_DOMAIN_METADATA_TITLE, 'A title', None, None, E.VIR_DOMAIN_AFFECT_CONFIG)
    s.setMetadata(E.VIR_DOMAIN_METADATA_DESCRIPTION, 'Some words', None, None, 0)
    s.setMetadata(E.VIR_DOMAIN_METADATA_ELEMENT, '<app foo="bar">x</app>', 'my', 'http://example.org/my', 0)
    t.ok(s.metadata(E.VIR_DOMAIN_METADATA_TITLE, None) == 'A title' and
         s.metadata(E.VIR_DOMAIN_METADATA_DESCRIPTION, None) == 'Some words', 'title and description')
    m = s.metadata(E.VIR_DOMAIN_METADATA_ELEMENT, 'http://example.org/my')
    t.ok('foo="bar"' in m and '>x<' in m, 'metadata element by namespace', m)
    cfg = open(os.path.join(d.config_dir(), 's.xml')).read()
    t.ok('<title>A title</title>' in cfg and 'http://example.org/my' in cfg, 'metadata persisted in the config')
    try:
        s.metadata(E.VIR_DOMAIN_METADATA_ELEMENT, 'http://example.org/other')
        t.ok(False, 'missing metadata: VIR_ERR_NO_DOMAIN_METADATA')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_NO_DOMAIN_METADATA, 'missing metadata: VIR_ERR_NO_DOMAIN_METADATA', e)
    a.setMetadata(E.VIR_DOMAIN_METADATA_TITLE, 'live title', None, None, E.VIR_DOMAIN_AFFECT_LIVE)
    t.ok(a.metadata(E.VIR_DOMAIN_METADATA_TITLE, None, E.VIR_DOMAIN_AFFECT_LIVE) == 'live title', 'live metadata')

    # XML flags and next-boot definitions
    live = a.XMLDesc(0)
    t.ok("id='%d'" % a.ID() in live and "<alias name='serial0'/>" in live, 'live XML has id and alias')
    t.ok("id=" not in a.XMLDesc(E.VIR_DOMAIN_XML_INACTIVE).split('>')[0], 'inactive XML has no id')
    for flags in (1, 2, 3, 4, 8, 15):
        a.XMLDesc(flags)
    t.ok(True, 'XMLDesc accepts SECURE, INACTIVE, UPDATE_CPU, MIGRATABLE combinations')
    c.defineXML(domain_xml('a', '55555555-0000-0000-0000-000000000001').replace('128</memory>', '256</memory>'))
    t.ok(a.info()[1] == 131072 and '262144' in a.XMLDesc(E.VIR_DOMAIN_XML_INACTIVE),
         'redefine while running: next-boot def, live one unchanged')
    a.destroy()
    t.ok(a.info()[1] == 262144, 'next-boot def applies after stop')
    t.ok(b.state()[0] == E.VIR_DOMAIN_PAUSED, 'b still paused')
    try:
        a.undefineFlags(E.VIR_DOMAIN_UNDEFINE_NVRAM | E.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)
        t.ok(False, 'undefine NVRAM|KEEP_NVRAM refused')
    except libvirt.libvirtError as e:
        t.ok(e.get_error_code() == E.VIR_ERR_INVALID_ARG, 'undefine NVRAM|KEEP_NVRAM refused', e)
    a.undefineFlags(E.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | E.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                    E.VIR_DOMAIN_UNDEFINE_NVRAM)
    t.ok('a' not in [x.name() for x in c.listAllDomains(0)], 'undefineFlags (virt-manager Delete flags)')
    b.destroy(); tr.destroy()
    t.ok(d.alive(), 'daemon still running')
finally:
    d.cleanup()
