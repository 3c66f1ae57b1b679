#!/usr/bin/python3
"""The daemon's domain index (hash tables by UUID and name) against the
list: many domains defined, some undefined, names reused with new UUIDs,
redefinitions over existing ones; every lookup by name, UUID and ID must
agree with listAllDomains, and a removed name or UUID must be gone."""
import os, sys, uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, domain_xml

libvirt.registerErrorHandler(lambda *a: None, None)
t = Tap(7)
d = Daemon()
d.start()


def code(fn):
    try:
        fn()
        return None
    except libvirt.libvirtError as e:
        return e.get_error_code()


try:
    c = libvirt.open(d.uri)
    uuids = {}
    for i in range(300):
        uuids['n%03d' % i] = str(uuid.uuid4())
        c.defineXML(domain_xml('n%03d' % i, uuids['n%03d' % i]))
    gone = {}
    for i in range(0, 300, 2):
        name = 'n%03d' % i
        c.lookupByName(name).undefine()
        gone[name] = uuids.pop(name)
    for i in range(0, 100, 2):          # names come back with new UUIDs
        name = 'n%03d' % i
        uuids[name] = str(uuid.uuid4())
        c.defineXML(domain_xml(name, uuids[name]))
    for i in range(1, 60, 2):           # redefinition over an existing domain
        name = 'n%03d' % i
        c.defineXML(domain_xml(name, uuids[name], extra='<title>again</title>'))

    listed = {dom.name(): dom.UUIDString() for dom in c.listAllDomains(0)}
    t.ok(listed == uuids, 'the list holds exactly the defined domains', (len(listed), len(uuids)))
    bad = [n for n, u in uuids.items() if c.lookupByName(n).UUIDString() != u]
    t.ok(not bad, 'lookupByName finds each domain with its current UUID', bad[:5])
    bad = [n for n, u in uuids.items() if c.lookupByUUIDString(u).name() != n]
    t.ok(not bad, 'lookupByUUID finds each domain', bad[:5])
    stale = [n for n, u in gone.items() if code(lambda: c.lookupByUUIDString(u)) != libvirt.VIR_ERR_NO_DOMAIN]
    t.ok(not stale, 'undefined UUIDs (also of reused names) answer NO_DOMAIN', stale[:5])
    stale = [n for n in gone if n not in uuids and code(lambda: c.lookupByName(n)) != libvirt.VIR_ERR_NO_DOMAIN]
    t.ok(not stale, 'undefined names answer NO_DOMAIN', stale[:5])
    t.ok('again' in c.lookupByName('n001').XMLDesc(0), 'a redefinition is what the lookup returns')
    dom = c.lookupByName('n003')
    dom.create()
    t.ok(c.lookupByID(dom.ID()).name() == 'n003' and c.lookupByUUIDString(uuids['n003']).ID() == dom.ID(),
         'lookupByID of a started domain; its UUID lookup has the same id')
    dom.destroy()
    c.close()
finally:
    d.cleanup()
sys.exit(1 if t.failed else 0)
