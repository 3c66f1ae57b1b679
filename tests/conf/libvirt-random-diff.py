#!/usr/bin/python3
"""Random differential testing of src/conf against libvirt's own parser
(a developer tool, not part of `make check`): generates N random domain
documents from snippets (valid and broken values mixed), parses them with
tests/conf/conf-parse-tool and defines them in python3-libvirt's
test:///default driver, and prints every distinct disagreement.
    /usr/bin/python3 tests/conf/libvirt-random-diff.py SEED N [BUILDDIR]
Known, deliberate differences are skipped: tandem's capabilities
(x86_64 hvm qemu/kvm only), and the PS/2 mouse and keyboard that tandem,
like libvirt's QEMU driver (not its test driver), adds next to graphics.
Not compared: the checks libvirt makes inside devices tandem keeps whole
(e.g. a tcp serial's host, an egd rng backend's type)."""
import importlib.util
import os
import random
import subprocess
import sys
import tempfile

import libvirt

here = os.path.dirname(os.path.abspath(__file__))
builddir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "build")
tool = os.path.join(builddir, "tests", "conf", "conf-parse-tool")
spec = importlib.util.spec_from_file_location("par", os.path.join(here, "test-libvirt-parity.py"))
par = importlib.util.module_from_spec(spec)
spec.loader.exec_module(par)
libvirt.registerErrorHandler(lambda c, e: None, None)
conn = libvirt.open('test:///default')
R = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
def pick(*a): return R.choice(a)
def opt(s, p=0.5): return s if R.random() < p else ""
def memory():
    return "<memory%s>%s</memory>" % (opt(" unit='%s'" % pick('KiB','k','MiB','M','MB','G','GB','b','bytes','kib','EiB','T','XB','')), pick('65536','1','0','1024','4','512','lots','9007199254740991','', ' 42 '))
def vcpu():
    return opt("<vcpu%s%s>%s</vcpu>" % (opt(" placement='%s'" % pick('static','auto','foo')), opt(" current='%s'" % pick('1','2','0','5','x')), pick('1','2','4','0','x','')))
def os_():
    t = "<type%s%s>%s</type>" % (opt(" arch='%s'" % pick('x86_64','i686','aarch64','z80','')), opt(" machine='%s'" % pick('pc','q35','')), pick('hvm','xen','dos','',' hvm '))
    boots = "".join("<boot dev='%s'/>" % pick('hd','cdrom','network','fd','tape','') for _ in range(R.randint(0,3)))
    return "<os>%s%s%s%s</os>" % (opt(t, 0.9), opt("<kernel>/k</kernel>"), opt("<cmdline>c</cmdline>"), boots)
def features():
    return opt("<features>%s</features>" % "".join("<%s/>" % pick('acpi','apic','pae','hap','warp','vmport','smm','kvm','pmu') for _ in range(R.randint(0,3))))
def clock():
    return opt("<clock%s>%s</clock>" % (opt(" offset='%s'" % pick('utc','localtime','variable','timezone','mars','')),
        "".join("<timer%s%s/>" % (opt(" name='%s'" % pick('rtc','pit','hpet','tsc','kvmclock','sundial','')), opt(" present='%s'" % pick('yes','no','maybe'))) for _ in range(R.randint(0,2)))))
def life():
    return "".join(opt("<%s>%s</%s>" % (e, pick('destroy','restart','preserve','rename-restart','coredump-destroy','coredump-restart','explode',''), e), 0.3) for e in ('on_poweroff','on_reboot','on_crash'))
def disk():
    return "<disk%s%s>%s%s%s%s</disk>" % (opt(" type='%s'" % pick('file','block','dir','floppyish')), opt(" device='%s'" % pick('disk','cdrom','floppy','lun','tape')),
        opt("<driver name='qemu' type='%s'/>" % pick('raw','qcow2')), opt("<source file='/x'/>"),
        opt("<target%s%s/>" % (opt(" dev='%s'" % pick('vda','hda','sda','fda','xvda','vd1','foo','sdaa','')), opt(" bus='%s'" % pick('virtio','ide','sata','scsi','usb','fdc','foo'))), 0.9),
        opt("<readonly/>") + opt("<boot order='%s'/>" % pick('1','2','0','x'), 0.2))
def iface():
    return "<interface%s>%s%s%s</interface>" % (opt(" type='%s'" % pick('user','bridge','network','ethernet','direct','foo'), 0.9),
        opt("<mac address='%s'/>" % pick('52:54:00:12:34:56','01:00:00:00:00:01','zz','52:54:00:12:34','52:54:00:AA:BB:CC')),
        opt("<source %s='%s'/>" % (pick('bridge','network','dev'), pick('br0','default',''))), opt("<model type='%s'/>" % pick('virtio','e1000','')))
def chr_(el):
    return "<%s%s>%s%s</%s>" % (el, opt(" type='%s'" % pick('pty','file','null','stdio','weird','tcp')),
        opt("<source path='/tmp/x'/>"), opt("<target%s%s/>" % (opt(" type='%s'" % pick('isa-serial','serial','virtio','martian','usb-serial')), opt(" port='%s'" % pick('0','1','x')))), el)
def misc():
    return pick("<input type='%s'%s/>" % (pick('mouse','keyboard','tablet','joystick',''), opt(" bus='%s'" % pick('ps2','usb','virtio','foo'))),
        "<controller%s%s%s/>" % (opt(" type='%s'" % pick('pci','usb','ide','sata','foo')), opt(" index='%s'" % pick('0','1','x')), opt(" model='%s'" % pick('pci-root','none','qemu-xhci'))),
        "<memballoon%s/>" % opt(" model='%s'" % pick('none','virtio','huge')),
        "<rng%s>%s</rng>" % (opt(" model='virtio'"), opt("<backend model='%s'>/dev/urandom</backend>" % pick('random','egd','foo'))),
        "<graphics type='%s'/>" % pick('vnc','spice','sdl','foo'), "<video><model type='%s'/></video>" % pick('vga','cirrus','foo'),
        "<sound model='%s'/>" % pick('ich6','foo'), "<emulator>/usr/bin/x</emulator>", "<watchdog model='i6300esb'/>")
def devices():
    parts = []
    for _ in range(R.randint(0,4)):
        parts.append(pick(disk, iface, lambda: chr_('serial'), lambda: chr_('console'), misc, misc)())
    return opt("<devices>%s</devices>" % "".join(parts), 0.9)
def doc():
    name = opt("<name>%s</name>" % pick('a','','a b','x/y'), 0.95)
    uuid = opt("<uuid>%s</uuid>" % pick('c7a5fdbd-edaf-9455-926a-d65c16db1809','zz','c7a5fdbdedaf9455926ad65c16db1809'), 0.3)
    return "<domain type='%s'>%s%s%s%s%s%s%s%s%s%s</domain>" % (pick('kvm','qemu','kvm','qemu','xen','foo'), name, uuid, opt(memory(), 0.95), vcpu(), os_(), features(), clock(), life(), devices(), "")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
docs = [doc() for _ in range(N)]
with tempfile.TemporaryDirectory() as tmp:
    paths = []
    for i, x in enumerate(docs):
        p = os.path.join(tmp, "%d.xml" % i); open(p, 'w').write(x); paths.append(p)
    out = subprocess.run([tool] + paths, stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()
seen = set()
bad = 0
for x, line in zip(docs, out):
    kind, rest = line.split(' ', 1)
    if kind == 'err':
        code, msg = rest.split(' ', 1); msg = msg.encode('latin-1','backslashreplace').decode('unicode_escape')
        ours = ('err', int(code), msg)
    else:
        ours = ('ok', rest)
    theirs = par.libvirt_result(conn, x, 0)
    if ours[0] == 'err' and ours[1] == 8 and 'could not find capabilities' in ours[2]:
        continue  # caps differ by design
    if ours[0] == theirs[0] == 'ok' and '<graphics' in x:
        continue  # implicit PS/2 inputs: QEMU driver behaviour
    same = ours == theirs if ours[0] == 'ok' or theirs[0] == 'ok' else (ours[1] == theirs[1] and ours[2].strip() == theirs[2].strip())
    if not same:
        key = (ours[:2], theirs[:2], (theirs[2] if theirs[0]=='err' else '')[:60])
        if key in seen: continue
        seen.add(key); bad += 1
        print("DIFF", x); print("  ours  ", ours); print("  theirs", theirs)
print("distinct diffs:", bad, "of", N)
