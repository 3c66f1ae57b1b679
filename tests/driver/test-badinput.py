#!/usr/bin/python3
"""Bad input: broken XML, unknown elements, unsupported devices, name/UUID
clashes through python3-libvirt; oversized, truncated and random packets,
unknown procedures and undecodable arguments on a raw socket. Each gets
libvirt's error (or only its own connection closed), the daemon stays up,
configuration files do not change. Also: PING answered while a call runs."""
import hashlib, os, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import (Daemon, Tap, Raw, domain_xml, packet, error_code, error_message,
                     xdr_string, PROG, KEEPALIVE)

libvirt.registerErrorHandler(lambda *a: None, None)
t = Tap(31)
d = Daemon()
d.start()

def snapshot():
    out = {}
    for root, _, files in os.walk(d.config_dir()):
        for f in files:
            p = os.path.join(root, f)
            out[p] = hashlib.sha256(open(p, 'rb').read()).hexdigest() if not os.path.islink(p) else os.readlink(p)
    return out

def refused(fn, code, desc):
    try:
        fn()
        return t.ok(False, desc, 'call succeeded')
    except libvirt.libvirtError as e:
        return t.ok(e.get_error_code() == code, desc, 'code %d: %s' % (e.get_error_code(), e))

E = libvirt
try:
    c = libvirt.open(d.uri)
    c.defineXML(domain_xml('good', '33333333-2222-3333-4444-555555555555'))
    before = snapshot()
    refused(lambda: c.defineXML('<domain type="qemu"><name>x</name'), E.VIR_ERR_XML_DETAIL, 'malformed XML: VIR_ERR_XML_DETAIL')
    refused(lambda: c.defineXML('<notdomain/>'), E.VIR_ERR_XML_ERROR, 'wrong root element: VIR_ERR_XML_ERROR')
    refused(lambda: c.defineXML(domain_xml('nomem').replace("<memory unit='MiB'>128</memory>", '')),
            E.VIR_ERR_XML_ERROR, 'missing <memory>: VIR_ERR_XML_ERROR')
    refused(lambda: c.defineXML(domain_xml('').replace('<name></name>', '')), E.VIR_ERR_NO_NAME, 'missing <name>: VIR_ERR_NO_NAME')
    refused(lambda: c.defineXML(domain_xml('baduuid', 'not-a-uuid')), E.VIR_ERR_INTERNAL_ERROR, 'malformed uuid')
    refused(lambda: c.defineXML(domain_xml('xen').replace("type='qemu'", "type='xen'")), E.VIR_ERR_INVALID_ARG,
            'unsupported virt type: VIR_ERR_INVALID_ARG')
    if not os.path.exists('/dev/kvm'):
        refused(lambda: c.defineXML(domain_xml('kvm1').replace("type='qemu'", "type='kvm'")), E.VIR_ERR_INVALID_ARG,
                "type='kvm' without /dev/kvm: VIR_ERR_INVALID_ARG")
    else:
        t.skip('this host has /dev/kvm')
    unknown = domain_xml('unk', extra='\n  <bogus/>')
    refused(lambda: c.defineXMLFlags(unknown, E.VIR_DOMAIN_DEFINE_VALIDATE), E.VIR_ERR_XML_INVALID_SCHEMA,
            'unknown element with VALIDATE: VIR_ERR_XML_INVALID_SCHEMA')
    t.ok(snapshot() == before, 'no config file changed by refused defines')
    dom = c.defineXML(unknown)
    t.ok(dom.name() == 'unk' and '<bogus' not in dom.XMLDesc(0), 'unknown element without VALIDATE: accepted, dropped')
    dom.undefine()
    before = snapshot()
    refused(lambda: c.defineXML(domain_xml('snd', devices="<serial type='pty'/><sound model='ich6'/>")),
            E.VIR_ERR_CONFIG_UNSUPPORTED, 'unsupported device: VIR_ERR_CONFIG_UNSUPPORTED')
    refused(lambda: c.defineXML(domain_xml('good', '44444444-2222-3333-4444-555555555555')),
            E.VIR_ERR_OPERATION_FAILED, 'same name, other uuid: VIR_ERR_OPERATION_FAILED')
    refused(lambda: c.defineXML(domain_xml('other', '33333333-2222-3333-4444-555555555555')),
            E.VIR_ERR_OPERATION_FAILED, 'same uuid, other name: VIR_ERR_OPERATION_FAILED')
    refused(lambda: c.createXML(domain_xml('good', '44444444-2222-3333-4444-555555555555'), 0),
            E.VIR_ERR_OPERATION_FAILED, 'createXML with a clashing name refused')
    refused(lambda: c.lookupByName('good').undefineFlags(1 << 20), E.VIR_ERR_INVALID_ARG, 'unknown flags: VIR_ERR_INVALID_ARG')
    refused(lambda: c.lookupByName('good').suspend(), E.VIR_ERR_OPERATION_INVALID, 'suspend shut-off domain: VIR_ERR_OPERATION_INVALID')
    refused(lambda: c.lookupByName('nosuch'), E.VIR_ERR_NO_DOMAIN, 'unknown name: VIR_ERR_NO_DOMAIN')
    t.ok(snapshot() == before, 'no config file changed')

    # --- raw socket ---------------------------------------------------------
    r = Raw(d.sock)
    rep = r.open()
    t.ok(rep and rep[5] == 0, 'raw CONNECT_OPEN ok')
    r.call(999)
    rep = r.recv()
    t.ok(rep and rep[2] == 999 and rep[3] == 1 and rep[5] == 1 and error_code(rep[6]) == E.VIR_ERR_NO_SUPPORT
         and 'not supported' in error_message(rep[6]), 'unknown procedure: REPLY/ERROR VIR_ERR_NO_SUPPORT', rep)
    r.call(23, b'\xff\xff\xff\xff')          # LOOKUP_BY_NAME with an impossible string
    rep = r.recv()
    t.ok(rep and rep[5] == 1 and error_code(rep[6]) == E.VIR_ERR_RPC, 'undecodable args: VIR_ERR_RPC', rep)
    r.send(packet(0x12345678, 1, 0, 77))
    rep = r.recv()
    t.ok(rep and rep[0] == 0x12345678 and rep[4] == 77 and rep[5] == 1, 'unknown program: error reply', rep)
    r.call(23, xdr_string('good'))
    rep = r.recv()
    t.ok(rep and rep[5] == 0 and rep[6][:8] == b'\x00\x00\x00\x04good', 'connection still usable after errors', rep)
    r.close()

    def closed_after(data, desc):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(d.sock)
        try:
            s.sendall(data)
            got = s.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            got = b''           # closed (with unread data: a reset)
        except socket.timeout as e:
            got = e
        s.close()
        return t.ok(got == b'', desc + ': connection closed', got)

    closed_after(struct.pack('>I', 0x7fffffff) + b'x' * 64, 'oversized length word')
    closed_after(struct.pack('>I', 33554432 + 5), 'length 32 MiB + 5')
    closed_after(struct.pack('>I', 12) + b'\0' * 8, 'length below 28')
    # random bytes whose first word is no valid length (>= 0x80000000)
    closed_after(bytes([0x80 | os.urandom(1)[0]]) + os.urandom(4000), 'random bytes')
    # random bytes inside a well-formed frame: an error reply or a drop, never a crash
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(d.sock)
    for _ in range(20):
        body = os.urandom(200)
        s.sendall(struct.pack('>I', 4 + len(body)) + body)
    s.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(d.sock)
    s.sendall(struct.pack('>I', 200) + b'\0' * 50)    # truncated, then hang up
    s.close()
    time.sleep(0.2)
    t.ok(d.alive() and len(libvirt.open(d.uri).listAllDomains(0)) == 1, 'daemon alive and serving after bad packets')

    # --- keepalive while a call is in flight ----------------------------------
    c.defineXML(domain_xml('slow1'))
    r = Raw(d.sock)
    r.open()
    r.call(23, xdr_string('slow1'))
    dom_bytes = r.recv()[6]
    t0 = time.time()
    create_serial = r.call(9, dom_bytes)         # DOMAIN_CREATE: the fake VMM takes 1.5 s
    r.send(packet(KEEPALIVE, 1, 2, 0))           # PING
    first = r.recv()
    t.ok(first and first[0] == KEEPALIVE and first[2] == 2 and time.time() - t0 < 1.0,
         'PONG while DOMAIN_CREATE runs', first)
    second = r.recv()
    t.ok(second and second[2] == 9 and second[4] == create_serial and second[5] == 0, 'then the CREATE reply', second)
    c.lookupByName('slow1').destroy()
    r.close()
    t.ok(d.alive(), 'daemon still running')
finally:
    d.cleanup()
