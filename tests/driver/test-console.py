#!/usr/bin/python3
"""Console streams through python3-libvirt: data both ways, one session per
domain (VIR_ERR_OPERATION_FAILED without FORCE), FORCE ends the old session
with EOF, unknown devices, EOF when the domain stops, a session released
when its client disconnects."""
import os, signal, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirt
from drvtest import Daemon, Tap, Raw, domain_xml, xdr_string

libvirt.registerErrorHandler(lambda *a: None, None)
signal.alarm(60)        # a blocking stream must never hang the suite
E = libvirt
t = Tap(13)
d = Daemon()
d.start()

def read_until(st, text, secs=10):
    buf = b''
    end = time.time() + secs
    while text not in buf and time.time() < end:
        chunk = st.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf

def refused(fn, code, desc, needle=None):
    try:
        fn()
        return t.ok(False, desc, 'call succeeded')
    except libvirt.libvirtError as e:
        return t.ok(e.get_error_code() == code and (needle is None or needle in str(e)), desc,
                    '%d %s' % (e.get_error_code(), e))

try:
    c = libvirt.open(d.uri)
    dom = c.defineXML(domain_xml('con1'))
    refused(lambda: dom.openConsole(None, c.newStream(0), 0), E.VIR_ERR_OPERATION_INVALID,
            'console of a shut-off domain refused', 'not running')
    dom.create()
    st1 = c.newStream(0)
    dom.openConsole(None, st1, 0)
    st1.send(b'echo one-two-three\r')
    out = read_until(st1, b'one-two-three\r\n')
    t.ok(b'one-two-three\r\n' in out, 'console: keystrokes in, guest output out', out)
    refused(lambda: dom.openConsole(None, c.newStream(0), 0), E.VIR_ERR_OPERATION_FAILED,
            'second session without FORCE refused', 'Active console session exists')
    refused(lambda: dom.openConsole('nosuch0', c.newStream(0), E.VIR_DOMAIN_CONSOLE_FORCE),
            E.VIR_ERR_INTERNAL_ERROR, 'unknown device refused', 'cannot find character device')
    st2 = c.newStream(0)
    dom.openConsole('serial0', st2, E.VIR_DOMAIN_CONSOLE_FORCE | E.VIR_DOMAIN_CONSOLE_SAFE)
    t.ok(True, 'FORCE takes the console over (by alias serial0, SAFE)')
    rest = read_until(st1, b'\0never\0', 5)
    t.ok(st1.recv(10) == b'', 'the old session gets EOF')
    st1.finish()
    t.ok(True, 'the old session finishes cleanly')
    st2.send(b'echo four\r')
    t.ok(b'four\r\n' in read_until(st2, b'four\r\n'), 'the new session works')
    dom.destroy()
    t.ok(read_until(st2, b'\0never\0', 5) is not None and st2.recv(10) == b'', 'EOF when the domain stops')
    st2.finish()
    # a session whose client goes away is released
    dom.create()
    r = Raw(d.sock)             # a client that opens a console and vanishes
    r.open()
    r.call(23, xdr_string('con1'))
    dom_bytes = r.recv()[6]
    r.call(201, dom_bytes + struct.pack('>II', 0, 0))
    rep = r.recv()
    r.close()
    time.sleep(0.3)
    st4 = c.newStream(0)
    try:
        dom.openConsole(None, st4, 0)
        t.ok(rep[5] == 0, 'session of a disconnected client is released', rep)
    except libvirt.libvirtError as e:
        t.ok(False, 'session of a disconnected client is released', e)
    st4.send(b'uname\r')
    t.ok(b'Linux' in read_until(st4, b'Linux'), 'and the console still works')
    st4.abort()
    t.ok(True, 'abort of a session confirmed')
    dom.destroy()
    t.ok(d.alive(), 'daemon still running')
finally:
    d.cleanup()
